/** The patching stage's slice of the study config (docs/method.md §10). */
import { z } from 'zod';
import { positiveInt } from '../common/schema.js';
import { SPAN_KINDS } from './spans.js';

export const patchingConfigSchema = z.strictObject({
  /** Flipped pairs patched (the first ones of pairs.jsonl); both members of each are patched. */
  maxPairs: positiveInt.default(150),
  /** Sizes of the top-|r| coordinate sets patched at each recorded site (the neuron-set bound). */
  topN: z.array(positiveInt).default([1, 4, 16]),
  /** Beside each top-N set, N coordinates of the same site drawn at random (seeded). */
  randomControl: z.boolean().default(true),
  /**
   * Also patch each block's attn.out, mlp.out and resid_post with the partner class's mean (and
   * the own class's): the most one shared vector at that site can do.
   */
  classMeans: z.boolean().default(true),
  /**
   * Token spans also patched, at the embedding and each block's attn.out, mlp.out and resid_post
   * (./spans.ts; color stories only, other tasks record them as left out): the asked name's
   * statements, the other statements, and every prompt position.
   */
  spans: z.array(z.enum(SPAN_KINDS)).default(() => [...SPAN_KINDS]),
  /** Pairs per forward pass (2× rows). */
  batchSize: positiveInt.default(32),
});
