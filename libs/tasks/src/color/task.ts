/**
 * The color task (docs/method.md §2). Item kinds:
 * - `rule`: names from the never-memorized pool, random colors — in-context skill only;
 * - `memorized`: memorized names, the answer is the asked name's memorized color (memory and
 *   rule agree; the authors' training stories);
 * - `any`: names from all pools, random colors — the asked name may be memorized yet have
 *   another color (the rule phase of docs/method.md §3);
 * - `conflict`: a conflict story with its gen (in-context) answer as target;
 * - `recall`: "NAME is COLOR." statements only (a curriculum warm-up, see below);
 * - `unstated`: a `memorized` story without the sentence stating the answer's color (the asked
 *   name's own with 1 hop, its clue's with 2), so only memory can answer. A model that already does the lookup gets no reason to remember from `memorized` items
 *   (the story states the answer); these give memory a job of its own;
 * - `chain`: a balanced story in bare "NAME ROLE" / "NAME COLOR" pairs, then the authors' question
 *   (a 2-hop curriculum step); `chain-role` and `chain-role-color` ask the same stories a name's
 *   role (the bare name) and a role's color ("what color is ROLE?"), the chain's two pieces.
 * Targets are `" " + color` (the authors' training string is `prompt + " " + answer`).
 */
import type { Tokenizer } from '../tokenizer/types.js';
import type { Task } from '../types.js';
import { COLOR_KINDS, type ColorConfig, type ColorKind } from './config.js';
import {
  type ColorContext,
  colorContext,
  colorTokenizer,
  conflictItem,
  ruleItem,
  sampleColor,
  variantOf,
} from './items.js';
import { colorAnswerWord, labelColor } from './label.js';
import { parseColorPrompt } from './parse.js';

/** The color task for a resolved config (see {@link parseTaskConfig}). */
export function makeColorTask(config: ColorConfig): Task<ColorConfig> {
  const ctx: ColorContext = colorContext(config);
  const weights = COLOR_KINDS.map((k) => config.mix[k]);
  let cached: Tokenizer | undefined;
  return {
    name: 'color',
    config,
    kinds: COLOR_KINDS,
    sample: (kind, rng) => sampleColor(ctx, kind, rng),
    sampleTrain: (rng) => sampleColor(ctx, COLOR_KINDS[rng.weightedIndex(weights)] as ColorKind, rng),
    conflict: (rng) => conflictItem(ctx, rng),
    variant: variantOf,
    label: labelColor,
    ruleItem: (rng, options) => ruleItem(ctx, rng, options),
    memorizedItem: (rng) => {
      const { prompt, target, answer } = sampleColor(ctx, 'memorized', rng);
      return { prompt, target, answer };
    },
    inspect: (prompt) => {
      const mem = ctx.memorizedColor.get(parseColorPrompt(prompt).asked);
      return { triggered: mem !== undefined, memAnswer: mem ?? null };
    },
    answerOf: colorAnswerWord,
    tokenizer: () => {
      cached ??= colorTokenizer(ctx);
      return cached;
    },
  };
}
