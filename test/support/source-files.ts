/** The repository's own files for tests that read the tree (code shape, environment variables). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every file under the given top-level folders whose name `accept` takes, sorted; installed
 * packages and build outputs left out.
 */
export function sourceFiles(tops: readonly string[], accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const top of tops) {
    for (const entry of readdirSync(join(REPO_ROOT, top), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || path.includes('node_modules') || path.includes('/build/')) continue;
      if (accept(entry.name)) out.push(path);
    }
  }
  return out.sort();
}
