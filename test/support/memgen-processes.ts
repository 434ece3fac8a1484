/**
 * memgen CLI processes for integration tests: workers and sweeps spawned from the source (tsx), their
 * output collected, every one of them killed when the test file ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalSweepBackend } from '../../services/coordinator/src/local-backend.js';
import { runSweep } from '../../services/coordinator/src/sweep.js';
import { parseSweepSpec } from '../../services/coordinator/src/sweep-spec.js';
import { tinySweepSpec } from '../../services/coordinator/src/testing/tiny-sweep.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

export interface MemgenProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  log: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

const spawned = new Set<ChildProcess>();

/** Kills (SIGKILL) every process these helpers started that is still running. */
export function killAllMemgen(): void {
  for (const child of spawned) child.kill('SIGKILL');
  spawned.clear();
}

/** Runs `memgen <args>` with `env` added to this process's environment. */
export function memgen(args: string[], env: NodeJS.ProcessEnv = {}): MemgenProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  let text = '';
  const append = (d: Buffer) => {
    text += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      spawned.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return { child, log: () => text, exited };
}

/** A `memgen worker` on `url` (short ack wait, so a killed worker's job comes back quickly). */
export function startWorker(url: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): MemgenProcess {
  return memgen(['worker', '--nats', url, '--ack-wait', '2000', ...args], env);
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface SweepRun {
  specPath: string;
  out: string;
  url: string;
  env?: NodeJS.ProcessEnv;
  /** More logs for the error message (e.g. the workers'). */
  extra?: () => string;
  timeoutMs?: number;
}

/**
 * Runs `memgen sweep` over NATS to completion.
 * @throws Error with its output and `extra` when it exits non-zero or runs past timeoutMs
 */
export async function sweepOverNats(run: SweepRun): Promise<string> {
  const p = memgen(['sweep', '--spec', run.specPath, '--out', run.out, '--nats', run.url], run.env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), run.timeoutMs ?? 90_000);
  const code = await p.exited;
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(`sweep exited ${code}:\n${p.log()}\n--- workers ---\n${run.extra?.() ?? ''}`);
  }
  return p.log();
}

/**
 * The tiny sweep in local mode (2 workers) into `out`: what a sweep over NATS must reproduce byte for
 * byte. Returns its results.json.
 */
export async function tinySweepLocally(out: string): Promise<string> {
  const backend = new LocalSweepBackend(out, { workers: 2 });
  try {
    await runSweep(parseSweepSpec(tinySweepSpec()), backend, { outDir: out });
  } finally {
    await backend.close();
  }
  return readFile(join(out, 'results.json'), 'utf8');
}
