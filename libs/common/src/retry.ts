/** Retrying a call that may fail transiently (a server restarting, a peer not up yet). */

export interface RetryOptions {
  /** Calls in all, the first included (≥ 1). */
  attempts: number;
  /** Pause before retry k (1-based); the last value repeats. */
  delaysMs: readonly number[];
  /** Whether an error is worth another call (default: every error). */
  retryable?: (err: unknown) => boolean;
  /** Told of each failure that will be retried. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stops the waiting between calls. */
  signal?: AbortSignal;
}

/** Exponential delays: base, 2·base, 4·base, … capped at maxMs, `count` of them. */
export function exponentialDelays(baseMs: number, maxMs: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.min(maxMs, baseMs * 2 ** k));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `call` until it resolves, up to `attempts` times.
 * @throws the last error, or the first one that is not retryable
 */
export async function retryWithBackoff<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  if (!Number.isInteger(options.attempts) || options.attempts < 1) {
    throw new Error(`retryWithBackoff: attempts must be an integer ≥ 1, got ${options.attempts}`);
  }
  if (options.delaysMs.length === 0) throw new Error('retryWithBackoff: delaysMs must not be empty');
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      const retryable = options.retryable?.(err) ?? true;
      if (!retryable || attempt >= options.attempts) throw err;
      const delay = options.delaysMs[Math.min(attempt, options.delaysMs.length) - 1]!;
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
