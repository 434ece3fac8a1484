/**
 * Word-level tokenizer for the color stories: one token per word, `.` and `?` as their own
 * tokens. Spacing is canonical — words are separated by one space and punctuation follows its
 * word directly — so a text is exactly recoverable from its ids. Text with any other spacing is
 * rejected rather than silently normalised, which would break `decode(encode(s)) === s`.
 */
import type { DecodeOptions, Tokenizer } from './types.js';
import { excerpt, ordinaryTokens, tokenizerOf, tokenText, withSpecials } from './types.js';

/** `<pad>`, `<eos>`, then `words` in the given order (duplicates are an error, not merged). */
export function wordVocab(words: readonly string[]): string[] {
  return withSpecials(words);
}

/**
 * A word tokenizer over `vocab`; `attach` lists the punctuation tokens written without a space
 * before them. A text may start with one space: the separator from text before it (a target
 * after its prompt).
 */
export function createWordTokenizer(vocab: readonly string[], attach: readonly string[]): Tokenizer {
  const ids = new Map<string, number>(ordinaryTokens(vocab, 'word').map(([id, tok]) => [tok, id]));
  const attachSet = new Set(attach);
  checkWords(ids, attach, attachSet);
  const frozen = Object.freeze(vocab.slice());

  function decode(idList: readonly number[], options?: DecodeOptions): string {
    let out = '';
    let started = options?.continuation === true;
    for (const id of idList) {
      const tok = tokenText(frozen, id, 'word');
      if (tok === '') continue;
      if (attachSet.has(tok) || !started) out += tok;
      else out += ` ${tok}`;
      started = true;
    }
    return out;
  }

  const encode = (text: string) => encodeWords(text, ids, attachSet);
  return tokenizerOf('word', frozen, encode, decode, Object.freeze(attach.slice()));
}

/** Attach tokens are single characters in the vocabulary; other words hold neither them nor spaces. */
function checkWords(
  ids: ReadonlyMap<string, number>,
  attach: readonly string[],
  attachSet: ReadonlySet<string>,
) {
  for (const a of attach) {
    if (!ids.has(a))
      throw new Error(`word tokenizer: attach token ${JSON.stringify(a)} is not in the vocabulary`);
    if (Array.from(a).length !== 1)
      throw new Error(`word tokenizer: attach token ${JSON.stringify(a)} must be one character`);
  }
  for (const tok of ids.keys()) {
    if (attachSet.has(tok)) continue;
    if (/\s/.test(tok) || Array.from(tok).some((c) => attachSet.has(c))) {
      throw new Error(`word tokenizer: word ${JSON.stringify(tok)} contains whitespace or punctuation`);
    }
  }
}

function fail(text: string, at: number, what: string): never {
  throw new Error(`word tokenizer: ${what} at offset ${at} (in ${JSON.stringify(excerpt(text, at))})`);
}

function encodeWords(
  text: string,
  ids: ReadonlyMap<string, number>,
  attachSet: ReadonlySet<string>,
): number[] {
  const out: number[] = [];
  let i = 0;
  if (text.startsWith(' ')) {
    i = 1;
    if (i >= text.length || attachSet.has(text[i] as string))
      fail(text, 0, 'a leading space must precede a word');
  }
  while (i < text.length) {
    const ch = text[i] as string;
    if (attachSet.has(ch)) {
      out.push(ids.get(ch) as number);
      i += 1;
      continue;
    }
    if (out.length > 0) {
      if (ch !== ' ') fail(text, i, 'expected one space before a word');
      i += 1;
    }
    let end = i;
    while (end < text.length && text[end] !== ' ' && !attachSet.has(text[end] as string)) end++;
    const word = text.slice(i, end);
    if (word.length === 0) fail(text, i, 'expected a word (extra or trailing space)');
    const id = ids.get(word);
    if (id === undefined) fail(text, i, `${JSON.stringify(word)} is not in the vocabulary`);
    out.push(id);
    i = end;
  }
  return out;
}
