import { describe, expect, it } from 'vitest';
import { exponentialDelays, retryWithBackoff, sleep } from './retry.js';

/** A call that fails `failures` times with the given errors, then returns 'ok'. */
function flaky(failures: number, error: (attempt: number) => Error = (n) => new Error(`fail ${n}`)) {
  const attempts: number[] = [];
  const call = async (attempt: number) => {
    attempts.push(attempt);
    if (attempts.length <= failures) throw error(attempt);
    return 'ok';
  };
  return { call, attempts };
}

describe('retryWithBackoff', () => {
  it('retries until the call succeeds, telling onRetry each delay', async () => {
    const { call, attempts } = flaky(3);
    const retries: [string, number, number][] = [];
    const result = await retryWithBackoff(call, {
      attempts: 5,
      delaysMs: [1, 2],
      onRetry: (err, attempt, delay) => retries.push([(err as Error).message, attempt, delay]),
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3, 4]);
    // The last delay repeats.
    expect(retries).toEqual([
      ['fail 1', 1, 1],
      ['fail 2', 2, 2],
      ['fail 3', 3, 2],
    ]);
  });

  it('gives up after `attempts` calls with the last error', async () => {
    const { call, attempts } = flaky(10);
    await expect(retryWithBackoff(call, { attempts: 3, delaysMs: [1] })).rejects.toThrow('fail 3');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('stops at the first error that is not retryable', async () => {
    const { call, attempts } = flaky(10, (n) => new Error(n === 2 ? 'fatal' : 'transient'));
    await expect(
      retryWithBackoff(call, {
        attempts: 9,
        delaysMs: [1],
        retryable: (e) => (e as Error).message !== 'fatal',
      }),
    ).rejects.toThrow('fatal');
    expect(attempts).toEqual([1, 2]);
  });

  it('refuses bad options, and the abort signal stops the wait', async () => {
    await expect(retryWithBackoff(async () => 1, { attempts: 0, delaysMs: [1] })).rejects.toThrow(
      /attempts must be an integer ≥ 1, got 0/,
    );
    await expect(retryWithBackoff(async () => 1, { attempts: 2, delaysMs: [] })).rejects.toThrow(
      /delaysMs must not be empty/,
    );
    const controller = new AbortController();
    const { call, attempts } = flaky(10);
    const pending = retryWithBackoff(call, { attempts: 5, delaysMs: [60_000], signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    expect(attempts).toEqual([1]);
    await expect(sleep(10, controller.signal)).rejects.toThrow('stopped');
  });

  it('exponential delays double up to the cap', () => {
    expect(exponentialDelays(100, 500, 5)).toEqual([100, 200, 400, 500, 500]);
  });
});
