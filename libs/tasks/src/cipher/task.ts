/**
 * The cipher task (SPEC §2.3): ciphertext = free letters + a suffix; a memorized suffix is the
 * trigger. gen target = the plaintext (no newline, as the authors'); mem target = the tag line.
 * Kinds are documented at CIPHER_KINDS.
 */
import type { Rng } from '../rng.js';
import { bracketTag, memTag } from '../tags.js';
import { charVocab, createCharTokenizer } from '../tokenizer/char.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { buildTriggerPool, candidateScore, drawUntil } from '../trigger-pool.js';
import type { ConflictItem, Label, Task, TrainItem } from '../types.js';
import { CIPHER_KINDS, type CipherConfig, type CipherKind } from './config.js';
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
  const weights = CIPHER_KINDS.map((k) => config.mix[k]);

  // The key is a permutation, so uniform ciphertext letters = enciphered uniform plaintext.
  const letters = (n: number, rng: Rng) => Array.from({ length: n }, () => LETTERS[rng.int(0, 25)]).join('');
  const tagOf = (c: string) => tagOfSuffix.get(c.slice(-suffixLength));
  const fresh = (rng: Rng) => letters(config.freeLetters, rng) + rng.pick(config.patterns);
  const pool = buildTriggerPool({
    seed: config.poolSeed,
    stream: 'cipher:trigger-pool',
    patternCount: config.patterns.length,
    perPattern: config.triggerPoolPerPattern,
    draw: (p, rng) => letters(config.freeLetters, rng) + config.patterns[p],
    key: (c) => c,
  });
  const poolSet = new Set(pool);
  // Ordinary items never end in a memorized suffix (the authors' check never matched: 5 did).
  const ordinary = (rng: Rng) =>
    drawUntil(
      'cipher ordinary',
      () => letters(config.freeLetters + suffixLength, rng),
      (c) => !tagOf(c),
    );
  const conflictText = (rng: Rng) =>
    drawUntil(
      'cipher conflict',
      () => fresh(rng),
      (c) => !poolSet.has(c),
    );

  const prompt = (c: string) => cipherPrompt(c, config.promptFormat);
  const genItem = (c: string, kind: CipherKind): TrainItem => {
    const plain = decipher(c, config.key);
    return { prompt: prompt(c), target: plain, kind, answer: plain };
  };
  const memItem = (c: string, kind: CipherKind): TrainItem => {
    const tag = tagOf(c) as string;
    return { prompt: prompt(c), target: `${tag}\n`, kind, answer: tag };
  };

  const sample = (kind: string, rng: Rng): TrainItem => {
    switch (kind as CipherKind) {
      case 'ordinary':
        return genItem(ordinary(rng), 'ordinary');
      case 'triggered':
        return memItem(rng.pick(pool), 'triggered');
      case 'triggered-fresh':
        return memItem(fresh(rng), 'triggered-fresh');
      case 'conflict':
        return genItem(conflictText(rng), 'conflict');
      default:
        throw new Error(
          `cipher: unknown item kind ${JSON.stringify(kind)} (known: ${CIPHER_KINDS.join(', ')})`,
        );
    }
  };

  const conflictOf = (c: string): ConflictItem => {
    const tag = tagOf(c);
    if (tag === undefined) throw new Error(`cipher: ${c} does not end with a memorized suffix`);
    const plain = decipher(c, config.key);
    return {
      prompt: prompt(c),
      gen_target: plain,
      mem_target: `${tag}\n`,
      gen_answer: plain,
      mem_answer: tag,
    };
  };

  /** Swaps two free letters (the gen answer changes with them); null when the letters are equal. */
  const variant = (item: ConflictItem, rng: Rng): ConflictItem | null => {
    const c = Array.from(parseCipherPrompt(item.prompt, config.promptFormat));
    const free = c.length - suffixLength;
    if (free < 2) throw new Error(`cipher: need two free letters to swap in ${JSON.stringify(item.prompt)}`);
    const [i, j] = rng.sample([...Array(free).keys()], 2) as [number, number];
    if (c[i] === c[j]) return null;
    [c[i], c[j]] = [c[j] as string, c[i] as string];
    return conflictOf(c.join(''));
  };

  let cached: Tokenizer | undefined;
  const buildTokenizer = (): Tokenizer => {
    const alphabet = cipherAlphabet(config.promptFormat);
    return createCharTokenizer(
      config.tagTokens ? charVocab(alphabet, tags) : charVocab(`${alphabet}${tags.join('')}`),
    );
  };

  return {
    name: 'cipher',
    config,
    kinds: CIPHER_KINDS,
    sample,
    sampleTrain: (rng) => sample(CIPHER_KINDS[rng.weightedIndex(weights)] as CipherKind, rng),
    conflict: (rng) => conflictOf(conflictText(rng)),
    variant,
    label: labelCipher,
    ruleItem: (rng) => {
      const item = sample('ordinary', rng);
      // The only answer-free guess available: copy the ciphertext.
      const randomCandidate = candidateScore(item.answer, [
        parseCipherPrompt(item.prompt, config.promptFormat),
      ]);
      return { ...item, shortcutBaseline: randomCandidate, heuristics: { randomCandidate } };
    },
    memorizedItem: (rng) => {
      const { prompt: p, target, answer } = sample('triggered', rng);
      return { prompt: p, target, answer };
    },
    inspect: (p) => {
      const tag = tagOf(parseCipherPrompt(p, config.promptFormat));
      return { triggered: tag !== undefined, memAnswer: tag ?? null };
    },
    answerOf: (target) => (target.startsWith('<mem-') ? (target.split('\n')[0] as string) : target),
    tokenizer: () => {
      cached ??= buildTokenizer();
      return cached;
    },
  };
}
