/**
 * `pairs.jsonl`: one line per kept flipped pair i,
 *   {"pair": i, "mem": {"prompt", "tokens", "output"}, "gen": {...}, "answers": {"mem", "gen"}, "item": k}
 * where `mem` / `gen` is the member that answered mem / gen, `tokens` the prompt's ids, `output` the
 * decoded continuation, `answers` the item's two possible answers and `item` the conflict item's
 * draw index (so a pair can be regenerated from the seed).
 */

import { parseWith, readJsonLines, writeFileAtomic } from '@memgen/common';
import { z } from 'zod';

const memberSchema = z.object({
  prompt: z.string(),
  tokens: z.array(z.number().int().min(0)).min(1),
  output: z.string(),
});

const pairLineSchema = z.object({
  pair: z.number().int().min(0),
  mem: memberSchema,
  gen: memberSchema,
  answers: z.object({ mem: z.string(), gen: z.string() }),
  item: z.number().int().min(0),
});

export type PairMember = z.infer<typeof memberSchema>;
export type PairLine = z.infer<typeof pairLineSchema>;

/** Serialises pairs as JSONL (their `pair` fields must be 0..n-1 in order). */
export function pairsToJsonl(pairs: readonly PairLine[]): string {
  return pairs.map((p) => `${JSON.stringify(p)}\n`).join('');
}

export async function writePairs(path: string, pairs: readonly PairLine[]): Promise<void> {
  await writeFileAtomic(path, pairsToJsonl(pairs));
}

/**
 * Reads and validates pairs.jsonl.
 * @throws Error naming the file and line of the first malformed entry, or a pair index out of order.
 */
export async function readPairs(path: string): Promise<PairLine[]> {
  return (await readJsonLines(path)).map((value, i) => {
    const line = parseWith(pairLineSchema, value, `${path}:${i + 1}`);
    if (line.pair !== i) throw new Error(`${path}:${i + 1}: pair is ${line.pair}, expected ${i}`);
    return line;
  });
}
