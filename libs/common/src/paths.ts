/** Paths a request names, held inside the directory they are meant for. */
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * `path` resolved against `root` when it is relative and stays strictly inside `root` (no `..`
 * escape, not `root` itself), else undefined. Purely lexical: the callers' directories hold only
 * files they wrote themselves, never links planted by a request.
 */
export function resolveInside(root: string, path: string): string | undefined {
  if (path === '' || isAbsolute(path)) return undefined;
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.split(sep)[0] === '..' || isAbsolute(rel)) return undefined;
  return full;
}
