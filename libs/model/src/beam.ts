/**
 * Beam search (the paper decoded with 5 beams). Hypotheses are ranked by the sum of their tokens'
 * log-probabilities, ties by lower beam then lower token id, so a width of 1 is exactly greedy.
 */
import type { DecodeOptions, DecodeResult } from './decode.js';
import type { GPT } from './gpt.js';
import { Stepper } from './stepper.js';

interface Hypothesis {
  tokens: number[];
  score: number;
  done: boolean;
}

function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(row, (v) => v - lse);
}

type Candidate = { parent: number; token: number; score: number };

/** Every continuation of prompt `p`'s live beams (a finished beam carries on as itself, token −1), best first. */
function candidatesOf(
  beams: readonly Hypothesis[],
  rows: readonly number[],
  logits: Float32Array[],
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const row of rows) {
    const h = beams[row] as Hypothesis;
    if (h.score === -Infinity) continue;
    if (h.done) {
      candidates.push({ parent: row, token: -1, score: h.score });
      continue;
    }
    logSoftmax(logits[row] as Float32Array).forEach((v, token) => {
      candidates.push({ parent: row, token, score: h.score + v });
    });
  }
  return candidates.sort((a, b) => b.score - a.score || a.parent - b.parent || a.token - b.token);
}

/** The `width` best candidates of one prompt as the next beams, and the rows they continue. */
function keepBest(
  beams: readonly Hypothesis[],
  rows: readonly number[],
  candidates: Candidate[],
  width: number,
  stops: Set<number>,
) {
  const parents: number[] = [];
  const chosen: Hypothesis[] = [];
  for (let k = 0; k < width; k++) {
    const c = candidates[k];
    if (!c) {
      parents.push(rows[0] as number);
      chosen.push({ tokens: [], score: -Infinity, done: true });
      continue;
    }
    const h = beams[c.parent] as Hypothesis;
    parents.push(c.parent);
    chosen.push(
      c.token < 0
        ? { ...h, tokens: [...h.tokens] }
        : { tokens: [...h.tokens, c.token], score: c.score, done: stops.has(c.token) },
    );
  }
  return { parents, chosen };
}

export function beam(model: GPT, prompts: number[][], opts: DecodeOptions, width: number): DecodeResult {
  const rowsOf = (p: number) => Array.from({ length: width }, (_, k) => p * width + k);
  const stepper = new Stepper(
    model,
    prompts.flatMap((p) => Array(width).fill(p)),
    opts.padId,
    opts.useCache ?? true,
  );
  const stops = new Set(opts.stopTokens);
  // Only beam 0 is alive at the start, so the first expansion does not pick the same token W times.
  let beams: Hypothesis[] = prompts.flatMap(() =>
    Array.from({ length: width }, (_, k) => ({ tokens: [], score: k === 0 ? 0 : -Infinity, done: false })),
  );
  try {
    let next: number[] | undefined;
    for (let s = 0; s < opts.maxNewTokens && beams.some((b) => !b.done); s++) {
      const logits = stepper.step(next);
      const parents: number[] = [];
      const chosen: Hypothesis[] = [];
      prompts.forEach((_, p) => {
        const rows = rowsOf(p);
        const kept = keepBest(beams, rows, candidatesOf(beams, rows, logits), width, stops);
        parents.push(...kept.parents);
        chosen.push(...kept.chosen);
      });
      stepper.reorder(parents);
      beams = chosen;
      next = beams.map((h) =>
        h.done || h.tokens.length === 0 ? opts.padId : (h.tokens[h.tokens.length - 1] as number),
      );
    }
  } finally {
    stepper.dispose();
  }
  return { tokens: prompts.map((_, p) => (beams[p * width] as Hypothesis).tokens) };
}
