/**
 * GPT-2-style model configuration: named presets plus free fields, validated with zod so a wrong
 * field fails with a message naming it.
 */
import { parseWith, SpecError } from '@memgen/common';
import { z } from 'zod';

export const gptConfigSchema = z
  .object({
    /** Vocabulary size, including the pad and end-of-sequence tokens. */
    vocabSize: z.number().int().min(2),
    /** Context length: the longest sequence the model reads (and the learned position table covers). */
    nCtx: z.number().int().min(1),
    /** Residual stream width (d_model). */
    nEmbd: z.number().int().min(1),
    /** Number of transformer blocks. */
    nLayer: z.number().int().min(1),
    /** Attention heads; must divide nEmbd. */
    nHead: z.number().int().min(1),
    /** MLP hidden width; GPT-2 uses 4 × nEmbd. */
    nInner: z.number().int().min(1),
    /** Layer-norm epsilon (GPT-2: 1e-5). */
    layerNormEpsilon: z.number().positive().default(1e-5),
    /** Std of the normal initialisation (GPT-2: 0.02); residual projections are scaled by 1/√(2·nLayer). */
    initStd: z.number().positive().default(0.02),
    /**
     * How the model knows where a token is: 'learned' (absent = GPT-2's learned absolute position
     * table, `transformer.wpe`) or 'rotary' (queries and keys rotated by position, no table; ./rotary.ts).
     * No default, so configs without it keep their hash.
     */
    positions: z.enum(['learned', 'rotary']).optional(),
  })
  .strict()
  .refine((c) => c.nEmbd % c.nHead === 0, { message: 'nHead must divide nEmbd', path: ['nHead'] })
  .refine((c) => c.positions !== 'rotary' || (c.nEmbd / c.nHead) % 2 === 0, {
    message: 'rotary positions need an even head width (nEmbd / nHead)',
    path: ['positions'],
  });

export type GPTConfig = z.infer<typeof gptConfigSchema>;

/** Whether a config rotates queries and keys instead of adding learned positions. */
export const isRotary = (c: Pick<GPTConfig, 'positions'>) => c.positions === 'rotary';

type Shape = Pick<GPTConfig, 'nEmbd' | 'nLayer' | 'nHead'>;

/** Shapes by name; vocabulary and context come from the task. */
export const MODEL_PRESETS = {
  /** For tests: runs in milliseconds. */
  nano: { nEmbd: 16, nLayer: 2, nHead: 2 },
  /** The quick color model (D 64, L 2, H 4: ~111 k parameters with its 108-token vocabulary). */
  micro: { nEmbd: 64, nLayer: 2, nHead: 4 },
  /**
   * micro's width at tiny's depth: a 4-layer model, with middle layers where a decision could sit,
   * at about twice micro's cost rather than tiny's eight.
   */
  'micro-l4': { nEmbd: 64, nLayer: 4, nHead: 4 },
  /** The benchmark shape (D 128, L 4, H 4). */
  tiny: { nEmbd: 128, nLayer: 4, nHead: 4 },
  /** The first size past tiny (D 256, L 6, H 8). */
  small: { nEmbd: 256, nLayer: 6, nHead: 8 },
  /** The shape of GPT-2 small (124 M parameters with its 50 257-token vocabulary). */
  'gpt2-small': { nEmbd: 768, nLayer: 12, nHead: 12 },
  /** The shape of GPT-2 medium, the paper's larger model. */
  'gpt2-medium': { nEmbd: 1024, nLayer: 24, nHead: 16 },
} as const satisfies Record<string, Shape>;

export type ModelPresetName = keyof typeof MODEL_PRESETS;

/**
 * Resolves a preset (or explicit fields) into a validated config. Explicit fields override the preset.
 * @throws Error naming the offending field, or listing the presets when the name is unknown.
 */
export function resolveGPTConfig(
  input: Partial<GPTConfig> & { preset?: string; vocabSize: number; nCtx: number },
): GPTConfig {
  const { preset, ...fields } = input;
  let base: Partial<GPTConfig> = {};
  if (preset !== undefined) {
    if (!(preset in MODEL_PRESETS)) {
      throw new SpecError(
        `unknown model preset '${preset}'; known: ${Object.keys(MODEL_PRESETS).join(', ')}`,
      );
    }
    base = { ...MODEL_PRESETS[preset as ModelPresetName] };
  }
  const merged = { ...base, ...fields };
  if (merged.nInner === undefined && merged.nEmbd !== undefined) merged.nInner = 4 * merged.nEmbd;
  return parseWith(gptConfigSchema, merged, 'model config');
}
