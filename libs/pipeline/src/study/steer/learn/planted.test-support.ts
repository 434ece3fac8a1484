/**
 * Test support: a nano GPT whose first answer token depends on one planted direction d at the last
 * residual. Every block writes nothing (its output projections are zero) and positions embed to 0,
 * so the last block's resid_post is the last token's embedding; token A embeds as +c·d and token B
 * as −c·d, the unembedding is tied, so a row ending in A answers A and one ending in B answers B,
 * and adding a vector moves the answer exactly as far as the vector runs along −d or +d.
 */

import { stream } from '@memgen/common';
import { createParams, type GPT, initialWeights, GPT as Model, resolveGPTConfig } from '@memgen/model';
import type { PairLine } from '../../pairs/pairs-file.js';

export const PLANTED = { vocab: 12, tokenA: 4, tokenB: 5, scale: 3 } as const;

/** [width] the planted unit direction: mean zero, so the final layer norm keeps it. */
export function plantedDirection(width: number): Float32Array {
  const rng = stream(11, 'test/planted-direction');
  const v = Float32Array.from({ length: width }, () => rng.normal());
  const mean = v.reduce((a, x) => a + x, 0) / width;
  const centred = v.map((x) => x - mean);
  const len = Math.hypot(...centred);
  return centred.map((x) => x / len);
}

export function plantedModel(): { model: GPT; d: Float32Array } {
  const config = resolveGPTConfig({ preset: 'nano', vocabSize: PLANTED.vocab, nCtx: 8 });
  const w = initialWeights(config, 5);
  const d = plantedDirection(config.nEmbd);
  for (const [name, values] of w) {
    if (/c_proj\.(weight|bias)$/.test(name) || name === 'transformer.wpe.weight') values.fill(0);
  }
  const wte = w.get('transformer.wte.weight')!;
  for (let j = 0; j < config.nEmbd; j++) {
    wte[PLANTED.tokenA * config.nEmbd + j] = PLANTED.scale * d[j]!;
    wte[PLANTED.tokenB * config.nEmbd + j] = -PLANTED.scale * d[j]!;
  }
  return { model: new Model(config, createParams(config, w)), d };
}

export const cosine = (a: Float32Array, b: Float32Array) =>
  a.reduce((s, x, j) => s + x * b[j]!, 0) / (Math.hypot(...a) * Math.hypot(...b));

/** Pairs whose mem member ends in token A and gen member in token B (fillers vary the rows). */
export function plantedPairs(n: number): PairLine[] {
  const member = (filler: number, last: number) => ({
    prompt: `p${filler}-${last}`,
    tokens: [2 + (filler % 2), 6 + (filler % 5), last],
    output: '',
  });
  return Array.from({ length: n }, (_, k) => ({
    pair: k,
    mem: member(k, PLANTED.tokenA),
    gen: member(k + 1, PLANTED.tokenB),
    answers: { mem: 'a', gen: 'b' },
    item: k,
  }));
}
