/**
 * Fonts for rasterising figures. resvg draws no text at all when it has no font, silently, so we
 * find fonts up front and fail loudly when there are none. DejaVu Sans is preferred (Debian's
 * fonts-dejavu-core, present on most images) because resvg maps the SVG's generic "sans-serif" to
 * Arial by default, and without Arial it falls back to whichever font it met first (often a serif).
 */
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

const PREFERRED_FAMILY = 'DejaVu Sans';
const PREFERRED_FILE = /^DejaVuSans(-Bold|-Oblique|-BoldOblique)?\.ttf$/;
const FONT_FILE = /\.(ttf|otf|ttc)$/i;

/** Where fonts are searched: MEMGEN_FONT_DIR first (if set), then the usual Linux locations. */
export function fontSearchDirs(): string[] {
  const dirs = ['/usr/share/fonts', '/usr/local/share/fonts', join(homedir(), '.local/share/fonts')];
  const extra = process.env.MEMGEN_FONT_DIR;
  return extra ? [extra, ...dirs] : dirs;
}

function listFontFiles(dir: string, depth = 0): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // a search directory that does not exist simply holds no fonts
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 6) found.push(...listFontFiles(path, depth + 1));
    else if (FONT_FILE.test(entry.name)) found.push(path);
  }
  return found;
}

let cached: ResvgRenderOptions['font'] | undefined;

/**
 * resvg font options: only the DejaVu Sans files when present (fast, same look everywhere),
 * otherwise every system font. Throws an Error telling how to install fonts when none exist.
 */
export function resvgFontOptions(): NonNullable<ResvgRenderOptions['font']> {
  if (cached) return cached;
  const files = fontSearchDirs().flatMap((dir) => listFontFiles(dir));
  if (files.length === 0) {
    throw new Error(
      `no font files under ${fontSearchDirs().join(', ')}: PNG figures would have no text. ` +
        'Install one (Debian: apt-get install fonts-dejavu-core) or set MEMGEN_FONT_DIR.',
    );
  }
  const preferred = files.filter((f) => PREFERRED_FILE.test(f.slice(f.lastIndexOf('/') + 1)));
  cached =
    preferred.length > 0
      ? {
          loadSystemFonts: false,
          fontFiles: preferred,
          defaultFontFamily: PREFERRED_FAMILY,
          sansSerifFamily: PREFERRED_FAMILY,
        }
      : { loadSystemFonts: false, fontFiles: files };
  return cached;
}
