/**
 * The color labeller, as the authors' script does it: in the decoded text find the first `?`
 * (the prompt's own), take the first whitespace-separated token after it, keep the part before
 * its first `.`, strip punctuation from both ends, and compare case-sensitively.
 * Here the input is the continuation only (the text after the prompt, which ends with that `?`).
 */
import type { Label } from '../types.js';

// Python's string.punctuation, which the authors strip.
const PUNCT = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

function stripPunctuation(token: string): string {
  let from = 0;
  let to = token.length;
  while (from < to && PUNCT.includes(token[from] as string)) from++;
  while (to > from && PUNCT.includes(token[to - 1] as string)) to--;
  return token.slice(from, to);
}

/** The word the labeller compares: first token of the continuation, cut at `.`, punctuation stripped. */
export function colorAnswerWord(continuation: string): string {
  const first = continuation.trim().split(/\s+/)[0] ?? '';
  return stripPunctuation(first.split('.')[0] ?? '');
}

/** gen if the word is the gen color, else mem if it is the memorized color, else other. */
export function labelColor(item: { gen_answer: string; mem_answer: string }, continuation: string): Label {
  const word = colorAnswerWord(continuation);
  if (word === item.gen_answer) return 'gen';
  if (word === item.mem_answer) return 'mem';
  return 'other';
}
