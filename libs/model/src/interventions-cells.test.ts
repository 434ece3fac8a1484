import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeRecording, testModel, V } from './intervention-test-helpers.js';
import { type Intervention, recordActivations, withInterventions } from './interventions.js';
import { logitsOf, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

const B = 3;
const T = 6;

/** Every position of `hook` over the batch, [B, T, W] row-major. */
function recordAll(model: ReturnType<typeof testModel>, hook: string, seqs: number[][]): Float32Array {
  const rec = recordActivations(model, [hook], () => logitsOf(model, seqs), 'all');
  const values = Float32Array.from(rec.activations.get(hook)![0]!.dataSync() as Float32Array);
  disposeRecording(rec);
  return values;
}

/** The vectors at `cells` of a [B, T, W] recording, [cells, W]. */
function gather(all: Float32Array, cells: readonly number[], width: number): Float32Array {
  const out = new Float32Array(cells.length * width);
  cells.forEach((c, n) => {
    out.set(all.subarray(c * width, (c + 1) * width), n * width);
  });
  return out;
}

const logitsAt = (logits: Float32Array, r: number, t: number) =>
  logits.subarray((r * T + t) * V, (r * T + t + 1) * V);

describe('interventions: patch-cells (whole vectors at chosen row, position cells)', () => {
  it("patching cells with their own vectors changes nothing; another row's whole input gives its logits", () => {
    const model = testModel(4);
    const seqs = prompts(B, V, T, T);
    const plain = logitsOf(model, seqs);
    const every = Array.from({ length: B * T }, (_, c) => c);
    for (const hook of ['embed', 'blocks.0.mlp.out', 'blocks.1.resid_post']) {
      const own = recordAll(model, hook, seqs);
      const iv: Intervention = { kind: 'patch-cells', hook, batch: B, length: T, cells: every, values: own };
      expect(
        withInterventions(model, [iv], () => logitsOf(model, seqs)),
        hook,
      ).toEqual(plain);
    }
    // Row 0's embedding at every position from row 1: row 0 then computes row 1's forward pass.
    const width = model.hooks.point('embed').width;
    const embed = recordAll(model, 'embed', seqs);
    const row0 = Array.from({ length: T }, (_, t) => t);
    const fromRow1 = gather(
      embed,
      row0.map((t) => T + t),
      width,
    );
    const iv: Intervention = {
      kind: 'patch-cells',
      hook: 'embed',
      batch: B,
      length: T,
      cells: row0,
      values: fromRow1,
    };
    const patched = withInterventions(model, [iv], () => logitsOf(model, seqs));
    for (let t = 0; t < T; t++) {
      const got = logitsAt(patched, 0, t);
      const want = logitsAt(plain, 1, t);
      for (let v = 0; v < V; v++) expect(Math.abs(got[v]! - want[v]!)).toBeLessThan(1e-5);
      for (const r of [1, 2]) expect(logitsAt(patched, r, t)).toEqual(logitsAt(plain, r, t));
    }
  });

  it('one cell changes its row from that position on, never earlier positions or other rows', () => {
    const model = testModel(6);
    const seqs = prompts(B, V, T, T);
    const plain = logitsOf(model, seqs);
    const hook = 'blocks.0.resid_post';
    const width = model.hooks.point(hook).width;
    const cell = 2 * T + 3; // row 2, position 3
    const values = new Float32Array(width).fill(5);
    const iv: Intervention = { kind: 'patch-cells', hook, batch: B, length: T, cells: [cell], values };
    const patched = withInterventions(model, [iv], () => logitsOf(model, seqs));
    for (let r = 0; r < B; r++) {
      for (let t = 0; t < T; t++) {
        const same = r !== 2 || t < 3;
        if (same) expect(logitsAt(patched, r, t), `row ${r} position ${t}`).toEqual(logitsAt(plain, r, t));
        else expect(logitsAt(patched, r, t), `row ${r} position ${t}`).not.toEqual(logitsAt(plain, r, t));
      }
    }
  });

  it('refuses a pass of another shape, cells outside the batch or listed twice, and values that do not fit', () => {
    const model = testModel(2);
    const seqs = prompts(B, V, T, T);
    const hook = 'blocks.1.attn.out';
    const width = model.hooks.point(hook).width;
    const base = { kind: 'patch-cells' as const, hook, batch: B, length: T };
    const run = (iv: Intervention) => () => withInterventions(model, [iv], () => logitsOf(model, seqs));
    expect(run({ ...base, length: T + 1, cells: [0], values: new Float32Array(width) })).toThrow(
      `intervention patch-cells on '${hook}': the forward pass is [3, 6], the patch [3, 7]`,
    );
    expect(run({ ...base, cells: [B * T], values: new Float32Array(width) })).toThrow(
      /cell 18 outside \[0, 18\)/,
    );
    expect(run({ ...base, cells: [4, 4], values: new Float32Array(2 * width) })).toThrow(
      /cell 4 listed twice/,
    );
    expect(run({ ...base, cells: [4], values: new Float32Array(width + 1) })).toThrow(
      new RegExp(`values has ${width + 1} numbers, 1 cells × width ${width}`),
    );
    // A failed attach leaves no hook behind.
    expect(logitsOf(model, seqs)).toEqual(logitsOf(model, seqs));
  });
});
