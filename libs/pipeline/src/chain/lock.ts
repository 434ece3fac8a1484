/**
 * One process at a time in a run directory: `run.lock` holds the holder's pid, host and command.
 * A second process is refused with the holder named; a lock whose holder died (same host, pid no
 * longer alive) is taken over, so kill -9 never leaves a run directory unusable.
 */

import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@memgen/common';

export const LOCK_FILE = 'run.lock';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export class RunDirLockedError extends Error {
  constructor(
    readonly runDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${runDir} is in use by process ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.since}); ` +
        `wait for it to finish or use another --out`,
    );
    this.name = 'RunDirLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    // A lock being written this instant, or a torn one from a crash: treated as abandoned below.
    return null;
  }
}

async function tryCreate(path: string, holder: LockHolder): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(JSON.stringify(holder));
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Moves an abandoned lock aside (atomic: of two racing takers only one rename succeeds). */
async function clearAbandoned(path: string): Promise<void> {
  const aside = `${path}.abandoned-${process.pid}`;
  await rename(path, aside).catch(() => {});
  await rm(aside, { force: true });
}

export interface LockOptions {
  /**
   * How long to wait for a live holder to release the lock or die before refusing (default 0:
   * refuse at once). A sweep job's resume directory may still be held for a moment by the attempt
   * of a sweep that was just stopped, whose worker is between two checks for its parent.
   */
  waitMs?: number;
  /** Poll interval while waiting. */
  pollMs?: number;
}

/**
 * Takes the run directory's lock (creating the directory).
 * @returns a release function (idempotent)
 * @throws RunDirLockedError naming the live holder (after `waitMs`, when given)
 */
export async function lockRunDir(
  runDir: string,
  command = process.argv.slice(1).join(' '),
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    try {
      return await lockOnce(runDir, command);
    } catch (err) {
      if (!(err instanceof RunDirLockedError) || Date.now() >= deadline) throw err;
      await sleep(Math.min(options.pollMs ?? 500, Math.max(1, deadline - Date.now())));
    }
  }
}

async function lockOnce(runDir: string, command: string): Promise<() => Promise<void>> {
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 4; attempt++) {
    if (await tryCreate(path, me)) {
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(path, { force: true });
      };
    }
    const holder = await readHolder(path);
    if (holder && (holder.host !== me.host || alive(holder.pid))) throw new RunDirLockedError(runDir, holder);
    // An unreadable lock may be one being written this instant: look again before clearing it.
    if (!holder && attempt === 0) {
      await sleep(100);
      continue;
    }
    await clearAbandoned(path);
  }
  throw new Error(`could not take the lock ${path}: it keeps reappearing`);
}
