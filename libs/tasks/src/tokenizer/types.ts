/** Tokenizer contract shared by the character-level and word-level schemes. */

export type TokenizerScheme = 'word' | 'char';

/** The two special tokens every vocabulary starts with, at ids 0 and 1. */
export const PAD_TOKEN = '<pad>';
export const EOS_TOKEN = '<eos>';
export const PAD_ID = 0;
export const EOS_ID = 1;

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /**
   * Decode as the continuation of earlier text (e.g. a target after its prompt). In the word
   * scheme a leading word then gets the single space that separates it from that text, so
   * `decode(encode(target), { continuation: true }) === target`. No effect in the char scheme.
   */
  readonly continuation?: boolean;
}

/** Saved beside a checkpoint; {@link tokenizerFromJSON} rebuilds the same tokenizer. */
export interface TokenizerJSON {
  readonly format: 'memgen-tokenizer';
  readonly version: 1;
  readonly scheme: TokenizerScheme;
  /** Index = token id. Starts with `<pad>`, `<eos>`. */
  readonly vocab: readonly string[];
  /** Word scheme only: tokens written without a space before them (punctuation). */
  readonly attach?: readonly string[];
}

export interface Tokenizer {
  readonly scheme: TokenizerScheme;
  readonly vocab: readonly string[];
  readonly padId: number;
  readonly eosId: number;
  readonly vocabSize: number;
  /** Text → ids. Text outside the vocabulary is an Error that quotes the offending text. */
  encode(text: string): number[];
  /** Ids → text. `<pad>` and `<eos>` decode to nothing; an id outside the vocabulary is an Error. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  toJSON(): TokenizerJSON;
}

/** Checks the shared vocabulary rules: specials first, no duplicates, no empty tokens. */
export function checkVocab(vocab: readonly string[], scheme: TokenizerScheme): void {
  if (vocab[PAD_ID] !== PAD_TOKEN || vocab[EOS_ID] !== EOS_TOKEN) {
    throw new Error(`${scheme} tokenizer: vocab must start with "${PAD_TOKEN}", "${EOS_TOKEN}"`);
  }
  const seen = new Set<string>();
  for (const [id, tok] of vocab.entries()) {
    if (tok.length === 0) throw new Error(`${scheme} tokenizer: empty token at id ${id}`);
    if (seen.has(tok))
      throw new Error(`${scheme} tokenizer: duplicate token ${JSON.stringify(tok)} at id ${id}`);
    seen.add(tok);
  }
}

/** Shared decode step: id → token text, specials → '' . */
export function tokenText(vocab: readonly string[], id: number, scheme: TokenizerScheme): string {
  if (!Number.isInteger(id) || id < 0 || id >= vocab.length) {
    throw new Error(`${scheme} tokenizer: id ${id} is outside the vocabulary (size ${vocab.length})`);
  }
  return id === PAD_ID || id === EOS_ID ? '' : (vocab[id] as string);
}

/** A short excerpt around `offset` for error messages. */
export function excerpt(text: string, offset: number): string {
  const from = Math.max(0, offset - 20);
  const to = Math.min(text.length, offset + 20);
  return `${from > 0 ? '…' : ''}${text.slice(from, to)}${to < text.length ? '…' : ''}`;
}

/** The Tokenizer of `scheme` over a frozen `vocab` with its encode and decode. */
export function tokenizerOf(
  scheme: TokenizerScheme,
  vocab: readonly string[],
  encode: (text: string) => number[],
  decode: (ids: readonly number[], options?: DecodeOptions) => string,
  attach?: readonly string[],
): Tokenizer {
  return {
    scheme,
    vocab,
    padId: PAD_ID,
    eosId: EOS_ID,
    vocabSize: vocab.length,
    encode,
    decode,
    toJSON: (): TokenizerJSON => ({
      format: 'memgen-tokenizer',
      version: 1,
      scheme,
      vocab: vocab.slice(),
      ...(attach ? { attach: attach.slice() } : {}),
    }),
  };
}

/** `<pad>`, `<eos>`, then `tokens`: how every vocabulary starts. */
export function withSpecials(tokens: readonly string[]): string[] {
  return [PAD_TOKEN, EOS_TOKEN, ...tokens];
}

/** Checks `vocab` (see checkVocab) and lists its ordinary tokens with their ids. */
export function ordinaryTokens(vocab: readonly string[], scheme: TokenizerScheme): [number, string][] {
  checkVocab(vocab, scheme);
  return [...vocab.entries()].filter(([id]) => id !== PAD_ID && id !== EOS_ID);
}
