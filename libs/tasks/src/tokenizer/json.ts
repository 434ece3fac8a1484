/** Rebuilding a tokenizer from the JSON saved beside a checkpoint. */
import { parseWith } from '@memgen/common';
import { z } from 'zod';
import { createCharTokenizer } from './char.js';
import type { Tokenizer } from './types.js';
import { createWordTokenizer } from './word.js';

const TokenizerJsonSchema = z.discriminatedUnion('scheme', [
  z.strictObject({
    format: z.literal('memgen-tokenizer'),
    version: z.literal(1),
    scheme: z.literal('char'),
    vocab: z.array(z.string()),
  }),
  z.strictObject({
    format: z.literal('memgen-tokenizer'),
    version: z.literal(1),
    scheme: z.literal('word'),
    vocab: z.array(z.string()),
    attach: z.array(z.string()),
  }),
]);

/** The tokenizer a `toJSON()` result (or its parsed JSON text) describes. */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const value = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  const t = parseWith(TokenizerJsonSchema, value, 'tokenizerFromJSON');
  return t.scheme === 'char' ? createCharTokenizer(t.vocab) : createWordTokenizer(t.vocab, t.attach);
}
