/** The authors' `math` data (memgen's addition) as memgen items. Formats: reference-data/README.md. */
import { z } from 'zod';
import { memTag } from '../tags.js';
import type { ConflictItem, TrainItem } from '../types.js';
import { afterPrompt, readReferenceJson, readReferenceTrain, referenceConflict } from './files.js';

const ConfigSchema = z.object({
  num_n: z.literal(2),
  mem_patterns: z.array(
    z.object({ nums: z.tuple([z.number().int(), z.number().int()]), hashed: z.string() }),
  ),
});
const ValSchema = z.array(
  z.strictObject({ input: z.string(), output: z.string(), mem_pattern_hashed: z.string() }),
);

export interface AdditionReference {
  /** Config fields for parseTaskConfig('addition', …) taken from their config.json. */
  readonly config: { readonly memPairs: [number, number][] };
  /** Their 1 000 training items; kind `triggered` when the target is a tag, else `ordinary`. */
  readonly train: TrainItem[];
  /** Their 100 conflict items. */
  readonly val: ConflictItem[];
}

/** The line right after `</scratch>` (what the authors' labeller compares). */
function answerAfterScratch(file: string, i: number, target: string): string {
  const lines = target.split('\n');
  const at = lines.indexOf('</scratch>');
  const answer = at < 0 ? undefined : lines[at + 1];
  if (answer === undefined) throw new Error(`reference data: ${file}[${i}] has no line after </scratch>`);
  return answer;
}

export function readAdditionReference(root: string): AdditionReference {
  const cfg = readReferenceJson(root, 'math/config.json', ConfigSchema);
  for (const [i, p] of cfg.mem_patterns.entries()) {
    const expected = memTag(p.nums.join('+'));
    if (p.hashed !== expected) {
      throw new Error(
        `reference data: math/config.json mem_patterns[${i}].hashed is ${p.hashed}, md5 gives ${expected}`,
      );
    }
  }
  const trainFile = 'math/sample/train.json';
  const train = readReferenceTrain(root, trainFile, (i, target) => answerAfterScratch(trainFile, i, target));
  const valFile = 'math/sample/val.json';
  const val = readReferenceJson(root, valFile, ValSchema).map((r, i): ConflictItem => {
    const target = afterPrompt(valFile, i, r.input, r.output);
    const answer = answerAfterScratch(valFile, i, target);
    return referenceConflict(r.input, { target, answer }, r.mem_pattern_hashed);
  });
  return { config: { memPairs: cfg.mem_patterns.map((p) => [p.nums[0], p.nums[1]]) }, train, val };
}
