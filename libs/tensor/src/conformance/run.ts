/**
 * Runs conformance cases on an engine and on the JavaScript cpu backend and compares them, without
 * the test runner: the webgpu tests assert on the results, the device check (bench/gpu) prints them.
 */

import type { ConformanceCase } from './cases.js';
import { type Closeness, type Computed, closeness, runOn } from './inputs.js';

export interface CaseResult extends Closeness {
  name: string;
  ok: boolean;
  /** Milliseconds of the engine's run (shader compilation included on a first call). */
  ms: number;
  /** What failed: a shape, a dtype, a value out of tolerance, or an error thrown. */
  problem?: string;
}

/** The first output that differs beyond |a − b| ≤ atol + rtol·|b|, in words; undefined when none does. */
export function difference(
  actual: Computed[],
  expected: Computed[],
  rtol: number,
  atol: number,
): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} outputs, cpu ${expected.length}`;
  for (const [i, out] of actual.entries()) {
    const ref = expected[i]!;
    if (out.shape.join() !== ref.shape.join()) return `output ${i}: shape [${out.shape}] vs [${ref.shape}]`;
    if (out.dtype !== ref.dtype) return `output ${i}: dtype ${out.dtype} vs ${ref.dtype}`;
    for (let j = 0; j < ref.values.length; j++) {
      const [a, e] = [out.values[j]!, ref.values[j]!];
      if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)) && !(Number.isNaN(a) && Number.isNaN(e))) {
        return `output ${i} element ${j}: ${a} vs cpu ${e} (rtol ${rtol}, atol ${atol})`;
      }
    }
  }
  return undefined;
}

/** Each case on `backend` beside cpu; leaves `backend` active. */
export async function runConformance(
  backend: 'native' | 'webgpu',
  cases: readonly ConformanceCase[],
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const start = performance.now();
    try {
      const expected = await runOn('cpu', c.build);
      const t0 = performance.now();
      const actual = await runOn(backend, c.build);
      const ms = performance.now() - t0;
      const worst = actual.reduce<Closeness>(
        (w, out, i) => {
          const k = closeness(out.values, expected[i]?.values ?? []);
          return { maxAbs: Math.max(w.maxAbs, k.maxAbs), maxRel: Math.max(w.maxRel, k.maxRel) };
        },
        { maxAbs: 0, maxRel: 0 },
      );
      const problem = difference(actual, expected, c.rtol, c.atol);
      results.push({
        name: c.name,
        ok: problem === undefined,
        ms,
        ...worst,
        ...(problem ? { problem } : {}),
      });
    } catch (err) {
      const problem = (err as Error).message.split('\n')[0]!;
      results.push({
        name: c.name,
        ok: false,
        ms: performance.now() - start,
        maxAbs: NaN,
        maxRel: NaN,
        problem,
      });
    }
  }
  return results;
}
