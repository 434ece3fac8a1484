import type { MetricsSink } from './metrics.js';

/**
 * What a stage's function works with: its run directory (inputs are read from it, outputs written
 * into it), a progress sink, an abort signal and a log. The same context comes from `memgen run`,
 * a local sweep worker or a NATS stage service; the stages themselves are declared in ./registry.
 */
export interface Progress {
  /** Stage name, e.g. 'train', 'pairs', 'stats', 'probes', 'steer', 'report'. */
  stage: string;
  /** Units done / total (steps, items, pairs …); total 0 when unknown. */
  done: number;
  total: number;
  /** Short human text: latest loss, counts, … */
  detail?: string;
}

export interface StageContext {
  /** The run directory (runs/<id>/): inputs are read from it, outputs written into it. */
  runDir: string;
  /** Called often (cheap); a worker turns it into heartbeats, the CLI into a progress bar. */
  progress: (p: Progress) => void;
  /** Aborted when the job must stop (drain, cancel): stop at the next safe point and throw. */
  signal?: AbortSignal;
  /** One line of log text. */
  log: (line: string) => void;
  /**
   * True on a distributed worker: a path a spec names (model.init) must lie inside runDir and is
   * resolved against it, because the worker's own files are not the spec author's to read.
   */
  confined?: boolean;
  /** Where the stage reports what it measures for dashboards (a worker's metrics); none: not recorded. */
  metrics?: MetricsSink;
  /**
   * Set by the chain for the stage it runs: a digest of the stage's config hash and of every input
   * it reads. A stage that keeps partial work across attempts keys it by this, so work done for
   * another configuration or other inputs is never taken up.
   */
  resumeKey?: string;
}

/** A context that prints nothing: tests and library callers. */
export function quietContext(runDir: string): StageContext {
  return { runDir, progress: () => {}, log: () => {} };
}

/** Throws the signal's reason when the job was asked to stop (call between batches). */
export function checkAborted(ctx: StageContext): void {
  if (ctx.signal?.aborted) {
    throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('stage aborted');
  }
}
