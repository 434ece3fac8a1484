/** Cipher text formats; `authors` is byte-compatible with the authors' data. */

export const CIPHER_PROMPT_FORMATS = ['authors', 'compact'] as const;
export type CipherPromptFormat = (typeof CIPHER_PROMPT_FORMATS)[number];

const AUTHORS_PREFIX = 'CIPHERTEXT:';
const AUTHORS_SUFFIX = ' QUESTION: What is the plaintext? ANS:';
const A = 'A'.charCodeAt(0);

/** `authors`: `"CIPHERTEXT:<C> QUESTION: What is the plaintext? ANS:"`; `compact`: `"<C>:"`. */
export function cipherPrompt(ciphertext: string, format: CipherPromptFormat): string {
  return format === 'authors' ? `${AUTHORS_PREFIX}${ciphertext}${AUTHORS_SUFFIX}` : `${ciphertext}:`;
}

/** The ciphertext of a prompt in `format`; any other text is an Error quoting it. */
export function parseCipherPrompt(prompt: string, format: CipherPromptFormat): string {
  const m = (
    format === 'authors' ? /^CIPHERTEXT:([A-Z]+) QUESTION: What is the plaintext\? ANS:$/ : /^([A-Z]+):$/
  ).exec(prompt);
  if (!m) throw new Error(`cipher: not a ${format}-format prompt: ${JSON.stringify(prompt)}`);
  return m[1] as string;
}

/** Letter-by-letter substitution; `key[i]` is the ciphertext letter of plaintext letter i. */
export function encipher(plaintext: string, key: string): string {
  return Array.from(plaintext, (ch) => key[ch.charCodeAt(0) - A] ?? fail(ch)).join('');
}

/** The inverse of {@link encipher}. */
export function decipher(ciphertext: string, key: string): string {
  return Array.from(ciphertext, (ch) => {
    const i = key.indexOf(ch);
    return i < 0 ? fail(ch) : String.fromCharCode(A + i);
  }).join('');
}

function fail(ch: string): never {
  throw new Error(`cipher: ${JSON.stringify(ch)} is not an uppercase letter A-Z`);
}

/** Every character the formats can emit (for the char vocabulary), tags excluded. */
export function cipherAlphabet(format: CipherPromptFormat): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return `${letters}\n${format === 'authors' ? AUTHORS_PREFIX + AUTHORS_SUFFIX : ':'}`;
}
