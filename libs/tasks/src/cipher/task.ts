/**
 * The cipher task (docs/method.md §2): ciphertext = free letters + a suffix; a memorized suffix is the
 * trigger. gen target = the plaintext (no newline, as the authors'); mem target = the tag line.
 * Kinds are documented at TRIGGER_KINDS.
 */
import type { Rng } from '../rng.js';
import { bracketTag, memTag } from '../tags.js';
import { buildTriggerPool } from '../trigger-pool.js';
import { makeTriggerTask } from '../trigger-task.js';
import type { Label, Task } from '../types.js';
import type { CipherConfig } from './config.js';
import { cipherAlphabet, cipherPrompt, decipher, parseCipherPrompt } from './format.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** mem if the continuation starts with the tag, gen if it starts with the plaintext, else other. */
export function labelCipher(item: { gen_answer: string; mem_answer: string }, continuation: string): Label {
  if (continuation.startsWith(item.mem_answer)) return 'mem';
  return continuation.startsWith(item.gen_answer) ? 'gen' : 'other';
}

/** The cipher task for a resolved config (see {@link parseTaskConfig}). */
export function makeCipherTask(config: CipherConfig): Task<CipherConfig> {
  const suffixLength = (config.patterns[0] as string).length;
  const tags = config.patterns.map((p) => bracketTag(memTag(p)));
  const tagOfSuffix = new Map(config.patterns.map((p, i) => [p, tags[i] as string]));
  // The key is a permutation, so uniform ciphertext letters = enciphered uniform plaintext.
  const letters = (n: number, rng: Rng) => Array.from({ length: n }, () => LETTERS[rng.int(0, 25)]).join('');
  const pool = buildTriggerPool({
    seed: config.poolSeed,
    stream: 'cipher:trigger-pool',
    patternCount: config.patterns.length,
    perPattern: config.triggerPoolPerPattern,
    draw: (p, rng) => letters(config.freeLetters, rng) + config.patterns[p],
    key: (c) => c,
  });

  return makeTriggerTask<string, CipherConfig>(
    {
      name: 'cipher',
      freeNoun: 'letters',
      patternNoun: 'suffix',
      mix: config.mix,
      tags,
      tagTokens: config.tagTokens,
      alphabet: cipherAlphabet(config.promptFormat),
      pool,
      key: (c) => c,
      tagOf: (c) => tagOfSuffix.get(c.slice(-suffixLength)),
      draw: (rng) => letters(config.freeLetters + suffixLength, rng),
      fresh: (rng) => letters(config.freeLetters, rng) + rng.pick(config.patterns),
      prompt: (c) => cipherPrompt(c, config.promptFormat),
      parse: (prompt) => parseCipherPrompt(prompt, config.promptFormat),
      gen: (c) => {
        const plain = decipher(c, config.key);
        return { target: plain, answer: plain };
      },
      freeCount: (c) => c.length - suffixLength,
      swap: (c, i, j) => {
        if (c[i] === c[j]) return null;
        const out = Array.from(c);
        [out[i], out[j]] = [c[j] as string, c[i] as string];
        return out.join('');
      },
      // The only answer-free guess available: copy the ciphertext.
      guesses: (c) => [c],
      label: labelCipher,
      answerOf: (target) => (target.startsWith('<mem-') ? (target.split('\n')[0] as string) : target),
    },
    config,
  );
}
