/** The run-directory lock: held, refused with the holder named, released, and taken over from the dead. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockRunDir, RunDirLockedError } from './lock.js';

const dirs: string[] = [];
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'memgen-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('run-directory lock', () => {
  it('refuses a second holder naming the first, and frees the directory on release', async () => {
    const dir = await scratch();
    const release = await lockRunDir(dir, 'memgen run --task color');
    const holder = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: 'memgen run --task color' });
    const second = lockRunDir(dir, 'memgen run --task color');
    await expect(second).rejects.toBeInstanceOf(RunDirLockedError);
    await expect(lockRunDir(dir)).rejects.toThrow(
      `${dir} is in use by process ${process.pid} on ${hostname()} (memgen run --task color, since `,
    );
    await release();
    await release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = await lockRunDir(dir);
    await again();
  });

  it('takes over a lock whose holder was killed, and a torn lock file', async () => {
    const dir = await scratch();
    const pid = await deadPid();
    await writeFile(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid, host: hostname(), command: 'x', since: 'then' }),
    );
    const release = await lockRunDir(dir, 'taker');
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'taker',
    });
    await release();
    await writeFile(join(dir, LOCK_FILE), '{"pid": 12');
    const torn = await lockRunDir(dir, 'after a crash');
    await torn();
  });

  it('refuses while another process holds the lock, and takes it over once that process is killed', async () => {
    const dir = await scratch();
    const lockModule = new URL('./lock.ts', import.meta.url).href;
    const script = `const { lockRunDir } = await import(${JSON.stringify(lockModule)});
      await lockRunDir(${JSON.stringify(dir)}, 'holder'); console.log('held'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    });
    await expect(lockRunDir(dir)).rejects.toThrow(
      `is in use by process ${child.pid} on ${hostname()} (holder, since `,
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const release = await lockRunDir(dir, 'after kill -9');
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
  });

  it('with waitMs, waits for a live holder to go and takes the lock; refuses once the wait is over', async () => {
    const dir = await scratch();
    const release = await lockRunDir(dir, 'first attempt');
    const started = Date.now();
    await expect(lockRunDir(dir, 'impatient', { waitMs: 300, pollMs: 50 })).rejects.toThrow(
      /in use by process \d+ on .* \(first attempt, since /,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const waiting = lockRunDir(dir, 'next attempt', { waitMs: 20_000, pollMs: 50 });
    setTimeout(() => void release(), 200);
    const next = await waiting;
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      command: 'next attempt',
    });
    await next();
  });

  it('never takes over a live holder on another host', async () => {
    const dir = await scratch();
    await writeFile(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: 1, host: 'elsewhere', command: 'memgen run', since: 'now' }),
    );
    await expect(lockRunDir(dir)).rejects.toThrow(/in use by process 1 on elsewhere/);
  });
});
