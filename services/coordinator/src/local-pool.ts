/**
 * Local mode's workers: N child processes (default one per core) that run jobs with the same
 * semantics as the NATS workers — a transient failure (including the process dying mid-job) is
 * retried with the attempt counted, a permanent one (bad input, missing or corrupt artefact) is
 * given up on at once, and a job past maxAttempts is dead.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobMessage } from '@memgen/bus';
import { type JobState, jobStateBase } from './job-state.js';
import type { ChildMessage, ParentMessage } from './local-worker-main.js';

export interface LocalPoolOptions {
  /** Worker processes (default: one per core). */
  workers?: number;
  /** The file artefact store's root. */
  storeRoot: string;
  /** Where workers make their temporary run directories. */
  workRoot: string;
  /** Tries before a job is dead (default 3). */
  maxAttempts?: number;
  log?: (line: string) => void;
}

interface Waiting {
  job: JobMessage;
  attempt: number;
  resolve: (state: JobState) => void;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
  current: Waiting | null;
}

const workerMain = fileURLToPath(new URL('./local-worker-main.ts', import.meta.url));

/**
 * How a worker process loads the TypeScript sources: tsx by absolute URL and the repository's
 * tsconfig.json (decorators), so the pool works whatever directory the sweep was started from.
 */
const WORKER_EXEC_ARGV: readonly string[] = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
];
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));

export class LocalWorkerPool {
  readonly size: number;
  private readonly options: LocalPoolOptions;
  private readonly maxAttempts: number;
  private readonly queue: Waiting[] = [];
  private readonly workers = new Set<Worker>();
  private closed = false;

  constructor(options: LocalPoolOptions) {
    const size = options.workers ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`local workers must be an integer ≥ 1, got ${size}`);
    this.size = size;
    this.options = options;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** Runs `job` on the next free worker; resolves with its final state (done or dead), never rejects. */
  run(job: JobMessage): Promise<JobState> {
    if (this.closed) return Promise.reject(new Error('the local worker pool is closed'));
    return new Promise((resolve) => {
      this.queue.push({ job, attempt: 1, resolve });
      this.dispatch();
    });
  }

  /** Stops every worker process. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) =>
          w.child.exitCode !== null ? resolve() : w.child.once('exit', () => resolve()),
        ),
    );
    for (const worker of this.workers) worker.child.kill('SIGTERM');
    await Promise.all(exits);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = [...this.workers].find((w) => w.ready && w.current === null);
      if (!idle) {
        if (this.workers.size < this.size) this.spawn();
        return;
      }
      const next = this.queue.shift()!;
      idle.current = next;
      const message: ParentMessage = {
        type: 'run',
        job: next.job,
        storeRoot: this.options.storeRoot,
        workRoot: this.options.workRoot,
      };
      idle.child.send(message);
    }
  }

  private spawn(): void {
    // Share the cores between the workers: OpenMP threads beyond the cores make every worker slower.
    const threads =
      process.env.MEMGEN_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / this.size)));
    const child = fork(workerMain, [], {
      execArgv: [...WORKER_EXEC_ARGV],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { TSX_TSCONFIG_PATH: TSCONFIG, ...process.env, MEMGEN_THREADS: threads },
    });
    const worker: Worker = { child, ready: false, current: null };
    this.workers.add(worker);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        worker.ready = true;
      } else {
        const waiting = worker.current;
        worker.current = null;
        if (waiting) this.settle(waiting, message);
      }
      this.dispatch();
    });
    child.once('exit', (code, signal) => {
      this.workers.delete(worker);
      const waiting = worker.current;
      worker.current = null;
      if (waiting) {
        this.settle(waiting, {
          type: 'failed',
          jobId: waiting.job.id,
          reason: `worker process exited (${signal ?? `code ${code}`}) during the job`,
          permanent: false,
        });
      }
      if (!this.closed) this.dispatch();
    });
  }

  private settle(waiting: Waiting, message: Exclude<ChildMessage, { type: 'ready' }>): void {
    const { job, attempt } = waiting;
    const base = jobStateBase(job);
    if (message.type === 'done') {
      waiting.resolve({
        ...base,
        state: 'done',
        attempts: attempt,
        outputs: message.outputs,
        seconds: message.seconds,
      });
      return;
    }
    this.options.log?.(`${job.stage} ${job.runId} attempt ${attempt} failed: ${message.reason}`);
    if (message.permanent || attempt >= this.maxAttempts) {
      const reason = message.permanent
        ? message.reason
        : `gave up after ${attempt} attempts: ${message.reason}`;
      waiting.resolve({ ...base, state: 'dead', attempts: attempt, outputs: [], reason });
      return;
    }
    this.queue.push({ ...waiting, attempt: attempt + 1 });
  }
}
