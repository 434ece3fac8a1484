/** The authors' cipher data as memgen items. Formats: reference-data/README.md. */
import { z } from 'zod';
import { memTag } from '../tags.js';
import type { ConflictItem, TrainItem } from '../types.js';
import { readReferenceJson, readReferenceTrain, referenceConflict } from './files.js';

const ConfigSchema = z.object({
  num_n: z.number().int(),
  mem_patterns: z.array(z.object({ pattern: z.string(), hashed: z.string() })),
  mapping: z.record(z.string().regex(/^[A-Z]$/), z.string().regex(/^[A-Z]$/)),
});
const ValItem = z.strictObject({ input: z.string(), output: z.string(), mem_pattern_hashed: z.string() });

export interface CipherReference {
  /** Config fields for parseTaskConfig('cipher', …) taken from their config.json. */
  readonly config: { readonly patterns: string[]; readonly key: string };
  /** Their 10 000 training items; kind `triggered` when the target is a tag, else `ordinary`. */
  readonly train: TrainItem[];
  /** Their 100 conflict items (their `output` is the plaintext alone, without the prompt). */
  readonly val: ConflictItem[];
  /** The first 20 pairs of their pairwise file `test_0.json`. */
  readonly pairs: [ConflictItem, ConflictItem][];
}

const toConflict = (r: z.output<typeof ValItem>): ConflictItem =>
  referenceConflict(r.input, { target: r.output, answer: r.output }, r.mem_pattern_hashed);

export function readCipherReference(root: string): CipherReference {
  const cfg = readReferenceJson(root, 'cipher/config.json', ConfigSchema);
  for (const [i, p] of cfg.mem_patterns.entries()) {
    if (p.hashed !== memTag(p.pattern)) {
      throw new Error(
        `reference data: cipher/config.json mem_patterns[${i}].hashed does not match md5(${p.pattern})`,
      );
    }
  }
  const key = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ', (ch) => {
    const to = cfg.mapping[ch];
    if (to === undefined) throw new Error(`reference data: cipher/config.json mapping lacks ${ch}`);
    return to;
  }).join('');
  const train = readReferenceTrain(root, 'cipher/sample/train.json', (_i, target) => target);
  const val = readReferenceJson(root, 'cipher/sample/val.json', z.array(ValItem)).map(toConflict);
  const pairs = readReferenceJson(
    root,
    'cipher/sample_pairwise/test_0.first20.json',
    z.array(z.tuple([ValItem, ValItem])),
  ).map(([a, b]): [ConflictItem, ConflictItem] => [toConflict(a), toConflict(b)]);
  return { config: { patterns: cfg.mem_patterns.map((p) => p.pattern), key }, train, val, pairs };
}
