import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { all, disposeRecording, recordAround, testModel, V } from './intervention-test-helpers.js';
import { type Intervention, recordActivations, withInterventions } from './interventions.js';
import { logitsOf, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

describe('interventions: scale and patch', () => {
  it('scale at α = 0 and scale of no coordinates leave logits bit-identical, at either position', () => {
    const model = testModel(5);
    const seqs = prompts(3, V);
    const plain = logitsOf(model, seqs);
    for (const hook of ['blocks.0.resid_post', 'blocks.1.mlp.post', 'blocks.0.attn.z']) {
      const coords = all(model.hooks.point(hook).width);
      for (const position of ['last', 'all'] as const) {
        const identities: Intervention[] = [
          { kind: 'scale', hook, coords, alpha: 0, position },
          { kind: 'scale', hook, coords: [], alpha: 3, position },
          { kind: 'ablate', hook, coords: [], position },
        ];
        for (const iv of identities) {
          const out = withInterventions(model, [iv], () => logitsOf(model, seqs));
          expect(out, `${iv.kind} on ${hook} at ${position}`).toEqual(plain);
        }
      }
    }
  });

  it("'prompt' acts as 'last' on a pass over several positions and leaves a one-position pass alone", () => {
    const model = testModel(5);
    const hook = 'blocks.1.resid_post';
    const iv = (position: 'last' | 'prompt'): Intervention => ({
      kind: 'scale',
      hook,
      coords: all(model.hooks.point(hook).width),
      alpha: 2,
      position,
    });
    const long = prompts(3, V, 6, 6);
    const at = (position: 'last' | 'prompt', seqs: number[][]) =>
      withInterventions(model, [iv(position)], () => logitsOf(model, seqs));
    expect(at('prompt', long)).toEqual(at('last', long));
    expect(at('prompt', long)).not.toEqual(logitsOf(model, long));
    // A one-token pass is what a KV-cached decoder runs for each generated token.
    const single = long.map((s) => s.slice(0, 1));
    expect(at('prompt', single)).toEqual(logitsOf(model, single));
    expect(at('last', single)).not.toEqual(logitsOf(model, single));
  });

  it('scale multiplies only its coordinates by 1 + α, and at "last" only the last position', () => {
    const model = testModel();
    const T = 7;
    const seqs = prompts(2, V, T, T);
    const hook = 'blocks.0.resid_post';
    const coords = [1, 4, 9];
    const iv: Intervention = { kind: 'scale', hook, coords, alpha: -0.75 };
    // Recorded at every position, after the intervention, in the first (full-prompt) pass.
    const rec = recordAround(model, hook, [iv], seqs, 'all');
    const [before, after] = [rec.before as number[][][], rec.after as number[][][]];
    after.forEach((rows, r) => {
      rows.forEach((row, t) => {
        const old = before[r]![t]!;
        row.forEach((v, j) => {
          if (t === T - 1 && coords.includes(j)) expect(v).toBeCloseTo(old[j]! * 0.25, 6);
          else expect(v).toBe(old[j]);
        });
      });
    });
    const every = recordAround(model, hook, [{ ...iv, position: 'all' }], seqs, 'all');
    (every.after as number[][][]).forEach((rows, r) => {
      rows.forEach((row, t) => {
        for (const j of coords)
          expect(row[j]).toBeCloseTo((every.before as number[][][])[r]![t]![j]! * 0.25, 6);
        expect(row[0]).toBe((every.before as number[][][])[r]![t]![0]);
      });
    });
    expect(rec.steered).not.toEqual(rec.plain);
  });

  it('patch: own rows change nothing; the final residual of another row reproduces its logits', () => {
    const model = testModel(3);
    const seqs = prompts(3, V, 5, 5);
    const T = 5;
    const plain = logitsOf(model, seqs);
    const last = `blocks.${model.config.nLayer - 1}.resid_post`;
    const record = (hook: string) => {
      const rec = recordActivations(model, [hook], () => logitsOf(model, seqs));
      const rows = Float32Array.from(rec.activations.get(hook)![0]!.dataSync() as Float32Array);
      disposeRecording(rec);
      return rows;
    };
    for (const hook of ['blocks.0.attn.z', 'blocks.0.mlp.out', last]) {
      const own = record(hook);
      for (const coords of ['all', [0, 3]] as const) {
        const iv: Intervention = { kind: 'patch', hook, coords, rows: own };
        expect(
          withInterventions(model, [iv], () => logitsOf(model, seqs)),
          `${hook} ${coords}`,
        ).toEqual(plain);
      }
    }
    // Rows rotated by one: row r gets row r+1's final residual, so its last-position logits are
    // exactly row r+1's unpatched ones, and every earlier position is untouched.
    const W = model.config.nEmbd;
    const own = record(last);
    const rotated = new Float32Array(own.length);
    for (let r = 0; r < 3; r++) {
      const src = (r + 1) % 3;
      rotated.set(own.subarray(src * W, (src + 1) * W), r * W);
    }
    const patched = withInterventions(
      model,
      [{ kind: 'patch', hook: last, coords: 'all', rows: rotated }],
      () => logitsOf(model, seqs),
    );
    const at = (logits: Float32Array, r: number, t: number) =>
      logits.subarray((r * T + t) * V, (r * T + t + 1) * V);
    for (let r = 0; r < 3; r++) {
      expect(at(patched, r, T - 1)).toEqual(at(plain, (r + 1) % 3, T - 1));
      for (let t = 0; t < T - 1; t++) expect(at(patched, r, t)).toEqual(at(plain, r, t));
    }
    const wrong: Intervention = { kind: 'patch', hook: last, coords: 'all', rows: own.subarray(0, 2 * W) };
    expect(() => withInterventions(model, [wrong], () => logitsOf(model, seqs))).toThrow(
      `intervention patch on '${last}': the forward pass has 3 rows, the patch 2`,
    );
    const ragged: Intervention = { kind: 'patch', hook: last, coords: 'all', rows: new Float32Array(W + 1) };
    expect(() => withInterventions(model, [ragged], () => 0)).toThrow(/not a whole number of rows of width/);
  });
});
