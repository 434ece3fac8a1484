import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from './decode.js';
import { recordAround, testModel, V } from './intervention-test-helpers.js';
import { type Intervention, withInterventions } from './interventions.js';
import { logitsOf, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

const attend = (
  block: number,
  heads: number[],
  logit: number,
  keys: (prompt: readonly number[]) => readonly number[],
): Intervention => ({ kind: 'attend', block, heads, logit, keys });

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** [B, T, W] → the row's last position, [W]. */
const lastOf = (acts: unknown, b: number) => {
  const row = (acts as number[][][])[b]!;
  return row[row.length - 1]!;
};

describe('attention edit (attend)', () => {
  it('with a logit of 0 leaves the logits bit-identical, yet asks every row for its keys', () => {
    const model = testModel(1);
    const seqs = prompts(4, V);
    const asked: number[][] = [];
    const out = withInterventions(
      model,
      [
        attend(0, [0, 1], 0, (p) => {
          asked.push([...p]);
          return [0];
        }),
      ],
      () => logitsOf(model, seqs),
    );
    expect(out).toEqual(logitsOf(model, seqs));
    expect(asked).toEqual(seqs);
  });

  it('a large logit on key 0 makes each edited head at the last query copy the first token’s value', () => {
    const model = testModel(2);
    const seqs = prompts(3, V, 4, 8);
    const { nHead, nEmbd } = model.config;
    const dh = nEmbd / nHead;
    const { before, after } = recordAround(
      model,
      'blocks.0.attn.z',
      [attend(0, [1], 40, () => [0])],
      seqs,
      'all',
    );
    seqs.forEach((seq, b) => {
      const rows = (after as number[][][])[b]!;
      const pad = rows.length - seq.length;
      const first = rows[pad]!; // z at the first real position = its own value vector
      const last = lastOf(after, b);
      // Head 1 (edited) copies the first token's value; head 0 is untouched.
      expect(maxAbsDiff(last.slice(dh, 2 * dh), first.slice(dh, 2 * dh))).toBeLessThan(1e-4);
      expect(maxAbsDiff(last.slice(0, dh), lastOf(before, b).slice(0, dh))).toBeLessThan(1e-5);
      expect(maxAbsDiff(last.slice(dh, 2 * dh), lastOf(before, b).slice(dh, 2 * dh))).toBeGreaterThan(1e-3);
      // Earlier queries are not edited.
      const earlier = (before as number[][][])[b]!.slice(0, -1).flat();
      expect(maxAbsDiff(rows.slice(0, -1).flat(), earlier)).toBeLessThan(1e-5);
    });
  });

  it('the same logit on every key of the prompt changes nothing (softmax is shift-invariant)', () => {
    const model = testModel(3);
    const seqs = prompts(3, V);
    const every = (p: readonly number[]) => p.map((_, j) => j);
    const edited = withInterventions(model, [attend(1, [0, 1], 2.5, every)], () => logitsOf(model, seqs));
    const plain = logitsOf(model, seqs);
    expect(maxAbsDiff(edited, plain)).toBeLessThan(1e-4);
    const some = withInterventions(model, [attend(1, [0, 1], 2.5, () => [1])], () => logitsOf(model, seqs));
    expect(maxAbsDiff(some, plain)).toBeGreaterThan(1e-3);
  });

  it('a row gets the same edit wherever padding and batch-mates put it', () => {
    const model = testModel(4);
    const seqs = prompts(4, V, 3, 9);
    const keys = (p: readonly number[]) => p.flatMap((t, j) => (t % 3 === 0 ? [j] : []));
    const iv = attend(0, [0], 3, keys);
    const T = Math.max(...seqs.map((s) => s.length));
    const together = withInterventions(model, [iv], () => logitsOf(model, seqs));
    seqs.forEach((seq, b) => {
      const alone = withInterventions(model, [iv], () => logitsOf(model, [seq]));
      const lastTogether = together.subarray(((b + 1) * T - 1) * V, (b + 1) * T * V);
      const lastAlone = alone.subarray((seq.length - 1) * V, seq.length * V);
      expect(maxAbsDiff(lastTogether, lastAlone)).toBeLessThan(1e-4);
    });
  });

  it('in cached decoding edits the prompt’s pass only: the first token as the edited forward pass chooses', () => {
    const model = testModel(5);
    const seqs = prompts(3, V, 5, 7);
    const iv = attend(1, [0, 1], -6, (p) => p.slice(0, -1).map((_, j) => j));
    const opts = { maxNewTokens: 3, stopTokens: [], padId: 0, returnLogits: true };
    const steered = withInterventions(model, [iv], () => decode(model, seqs, opts));
    seqs.forEach((seq, b) => {
      const alone = withInterventions(model, [iv], () => logitsOf(model, [seq]));
      const last = alone.subarray((seq.length - 1) * V, seq.length * V);
      expect(maxAbsDiff(steered.logits![b]![0]!, last)).toBeLessThan(1e-4);
      // The second step runs unedited on the edited prefix: the plain forward pass of prompt + token.
      const prefix = [...seq, steered.tokens[b]![0]!];
      const plain = logitsOf(model, [prefix]).subarray((prefix.length - 1) * V, prefix.length * V);
      expect(maxAbsDiff(steered.logits![b]![1]!, plain)).toBeLessThan(1e-4);
    });
  });

  it('refuses a key outside the prompt, a head or block outside the model, and detaches after an error', () => {
    const model = testModel(6);
    const seqs = prompts(2, V);
    const run = (iv: Intervention) => () => withInterventions(model, [iv], () => logitsOf(model, seqs));
    expect(run(attend(0, [0], 1, (p) => [p.length]))).toThrow(
      /row 0's key \d+ is outside its \d+-token prompt/,
    );
    expect(run(attend(0, [0], 1, () => [1, 1]))).toThrow(/lists a key twice/);
    expect(run(attend(0, [7], 1, () => [0]))).toThrow(/head 7 outside \[0, 2\)/);
    expect(run(attend(5, [0], 1, () => [0]))).toThrow(/blocks 0…1/);
    expect(run(attend(0, [0], Number.NaN, () => [0]))).toThrow(/logit must be finite/);
    expect(model.attentionEdits.size).toBe(0);
  });
});

describe('span positions (each row’s own tokens)', () => {
  const hook = 'blocks.0.resid_post';
  const span = (p: readonly number[]) => p.flatMap((t, j) => (t % 3 === 0 ? [j] : []));

  it('adds the vector exactly at each row’s span columns of a prompt pass, nowhere else', () => {
    const model = testModel(7);
    const seqs = prompts(4, V, 3, 9);
    const { width } = model.hooks.point(hook);
    const vector = Float32Array.from({ length: width }, (_, j) => (j % 4) - 1.5);
    const iv: Intervention = { kind: 'add', hook, vector, position: { span } };
    const { before, after } = recordAround(model, hook, [iv], seqs, 'all');
    seqs.forEach((seq, b) => {
      const rowsBefore = (before as number[][][])[b]!;
      const rowsAfter = (after as number[][][])[b]!;
      const pad = rowsAfter.length - seq.length;
      const chosen = new Set(span(seq).map((p) => pad + p));
      rowsAfter.forEach((row, t) => {
        const diff = row.map((x, j) => x - rowsBefore[t]![j]!);
        const want = chosen.has(t) ? Array.from(vector) : new Array(width).fill(0);
        expect(maxAbsDiff(diff, want)).toBeLessThan(1e-5);
      });
    });
  });

  it('an empty span is the identity, bit for bit; decoding edits the prompt’s pass only', () => {
    const model = testModel(8);
    const seqs = prompts(3, V, 5, 7);
    const { width } = model.hooks.point(hook);
    const vector = new Float32Array(width).fill(3);
    const none: Intervention = { kind: 'add', hook, vector, position: { span: () => [] } };
    expect(withInterventions(model, [none], () => logitsOf(model, seqs))).toEqual(logitsOf(model, seqs));
    const iv: Intervention = { kind: 'add', hook, vector, position: { span: (p) => [p.length - 2] } };
    const opts = { maxNewTokens: 2, stopTokens: [], padId: 0, returnLogits: true };
    const steered = withInterventions(model, [iv], () => decode(model, seqs, opts));
    seqs.forEach((seq, b) => {
      const alone = withInterventions(model, [iv], () => logitsOf(model, [seq]));
      expect(maxAbsDiff(steered.logits![b]![0]!, alone.subarray((seq.length - 1) * V))).toBeLessThan(1e-4);
    });
  });
});
