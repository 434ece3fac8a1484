/**
 * Materialising artefacts named `<prefix>/<path inside the run directory>` into a run directory.
 */
import { resolve, sep } from 'node:path';
import type { ArtefactStore } from './artefacts.js';
import type { ArtefactRef } from './schemas.js';

export interface MaterialiseOptions {
  /** Prefix stripped from each artefact name to give its path inside `dir` (must be present). */
  prefix: string;
}

/**
 * Downloads `refs` into `dir`, each verified against its reference's digest, and returns the
 * absolute paths written.
 * @throws ArtefactMissingError / ArtefactDigestError (permanent job failures); Error when a name
 *   lacks the prefix or would land outside `dir`.
 */
export async function materialiseArtefacts(
  store: ArtefactStore,
  refs: readonly ArtefactRef[],
  dir: string,
  options: MaterialiseOptions,
): Promise<string[]> {
  const prefix = `${trimPrefix(options.prefix)}/`;
  const written: string[] = [];
  for (const ref of refs) {
    if (!ref.name.startsWith(prefix)) {
      throw new Error(
        `artefact ${JSON.stringify(ref.name)} does not start with prefix ${JSON.stringify(prefix)}`,
      );
    }
    const path = insideDir(dir, ref.name.slice(prefix.length));
    await store.getToFile(ref, path);
    written.push(path);
  }
  return written;
}

function trimPrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed === '') throw new Error('artefact prefix must not be empty');
  return trimmed;
}

/** Resolves a relative path under `dir`, refusing anything that escapes it. */
function insideDir(dir: string, file: string): string {
  const root = resolve(dir);
  const path = resolve(root, file);
  if (!path.startsWith(root + sep)) {
    throw new Error(`path ${JSON.stringify(file)} escapes directory ${JSON.stringify(dir)}`);
  }
  return path;
}
