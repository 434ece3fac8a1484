/**
 * Character-level tokenizer: one token per character, plus optional multi-character tokens
 * (the `<mem-xxxxxxxx>` tags) matched greedily, longest first.
 */
import { excerpt, ordinaryTokens, type Tokenizer, tokenizerOf, tokenText, withSpecials } from './types.js';

/**
 * Builds the vocabulary: `<pad>`, `<eos>`, the multi-character tokens in the given order, then the
 * distinct characters of `alphabet` sorted by code point (so the ids depend only on the config).
 */
export function charVocab(alphabet: string, multiTokens: readonly string[] = []): string[] {
  const chars = [...new Set(Array.from(alphabet))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return withSpecials([...multiTokens, ...chars]);
}

/** A char tokenizer over `vocab` (as made by {@link charVocab} or read from JSON). */
export function createCharTokenizer(vocab: readonly string[]): Tokenizer {
  const singles = new Map<string, number>();
  const multis: { text: string; id: number }[] = [];
  for (const [id, tok] of ordinaryTokens(vocab, 'char')) {
    if (Array.from(tok).length === 1) singles.set(tok, id);
    else multis.push({ text: tok, id });
  }
  multis.sort((a, b) => b.text.length - a.text.length);
  const frozen = Object.freeze(vocab.slice());

  function encode(text: string): number[] {
    const ids: number[] = [];
    let i = 0;
    outer: while (i < text.length) {
      for (const m of multis) {
        if (text.startsWith(m.text, i)) {
          ids.push(m.id);
          i += m.text.length;
          continue outer;
        }
      }
      const cp = text.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      const id = singles.get(ch);
      if (id === undefined) {
        throw new Error(
          `char tokenizer: ${JSON.stringify(ch)} at offset ${i} is not in the vocabulary ` +
            `(in ${JSON.stringify(excerpt(text, i))})`,
        );
      }
      ids.push(id);
      i += ch.length;
    }
    return ids;
  }

  // The char scheme needs no separator for a continuation: decode options change nothing.
  function decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) out += tokenText(frozen, id, 'char');
    return out;
  }

  return tokenizerOf('char', frozen, encode, decode);
}
