/**
 * Digests of run-directory files: what a stage record holds for every input it read and every
 * output it wrote. Digests are cached per process by (path, size, mtime), so checking a chain twice
 * reads a large checkpoint once.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileDigest } from '@memgen/common';

/** Files in a run directory that belong to no stage (the lock, temporary files of atomic writes). */
const PRIVATE_FILE = /(^|\/)(run\.lock|\.[^/]*\.tmp)$/;

async function filesUnder(runDir: string, folder: string): Promise<string[]> {
  const root = join(runDir, folder.replace(/\/+$/, ''));
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => `${folder}${join(e.parentPath, e.name).slice(root.length + 1)}`);
}

/**
 * The files `paths` name that exist, sorted: a path ending in '/' stands for every file below it.
 * @param paths relative to runDir
 */
export async function expandPaths(runDir: string, paths: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const path of paths) {
    if (path.endsWith('/')) for (const f of await filesUnder(runDir, path)) files.add(f);
    else if (existsSync(join(runDir, path))) files.add(path);
  }
  return [...files].filter((f) => !PRIVATE_FILE.test(f)).sort();
}

/** True when `file` is one of `paths` or lies in one of its folders. */
export function coveredBy(file: string, paths: readonly string[]): boolean {
  return paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));
}

const cache = new Map<string, { size: number; mtimeMs: number; digest: string }>();

/** SHA-256 of one run-directory file; null when it does not exist. */
export async function digestOf(runDir: string, file: string): Promise<string | null> {
  const path = join(runDir, file);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  const hit = cache.get(path);
  if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.digest;
  const digest = await fileDigest(path);
  cache.set(path, { size: info.size, mtimeMs: info.mtimeMs, digest });
  return digest;
}

/** Digests of existing files, keyed by their relative path (sorted keys). */
export async function digestFiles(runDir: string, files: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of [...files].sort()) {
    const digest = await digestOf(runDir, file);
    if (digest !== null) out[file] = digest;
  }
  return out;
}

/** The first file whose digest in `recorded` differs from the file now (missing counts), or null. */
export async function firstChanged(runDir: string, recorded: Record<string, string>): Promise<string | null> {
  for (const [file, digest] of Object.entries(recorded)) {
    if ((await digestOf(runDir, file)) !== digest) return file;
  }
  return null;
}
