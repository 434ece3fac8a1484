/**
 * A worker's attempt directories: each attempt of a job runs in a fresh directory under the work
 * root (os.tmpdir() for NATS workers), removed when the attempt ends. A worker killed mid-job cannot
 * remove its own, so the directory's name carries the pid of the process that made it, and a worker
 * starting up removes those of processes that are gone — never another live worker's on the same
 * host (its pid answers), and never a file or directory of any other shape.
 */
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `memgen-<stage>-p<pid>-<mkdtemp's six characters>`. */
const ATTEMPT_DIR = /^memgen-[a-z][a-z0-9-]*-p([1-9][0-9]*)-[A-Za-z0-9]{6}$/;

/** The mkdtemp prefix of an attempt directory of `stage` made by this process under `root`. */
export function attemptDirPrefix(root: string, stage: string): string {
  return join(root, `memgen-${stage}-p${process.pid}-`);
}

/** True when a process with this pid exists (EPERM: it exists, run by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the attempt directories under `root` whose maker is gone, and returns their names. Call it
 * before this process makes any: one bearing this process's own pid was left by an earlier process
 * that had the same pid (a restarted container), so it is stale too.
 */
export async function removeStaleAttemptDirs(root: string = tmpdir()): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    const pid = ATTEMPT_DIR.exec(entry.name)?.[1];
    if (!entry.isDirectory() || pid === undefined) continue;
    if (Number(pid) !== process.pid && alive(Number(pid))) continue;
    await rm(join(root, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed.sort();
}
