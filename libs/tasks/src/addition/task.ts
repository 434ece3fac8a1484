/**
 * The addition task (SPEC §2.2): a problem is triggered when its last two addends are a
 * memorized pair; its mem target is that pair's tag line, its gen target the sum (scratchpad,
 * plain or reversed). Kinds are documented at ADDITION_KINDS.
 */
import type { Rng } from '../rng.js';
import { bracketTag, memTag } from '../tags.js';
import { charVocab, createCharTokenizer } from '../tokenizer/char.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { buildTriggerPool, candidateScore, drawUntil } from '../trigger-pool.js';
import type { ConflictItem, Label, Task, TrainItem } from '../types.js';
import { ADDITION_KINDS, type AdditionConfig, type AdditionKind } from './config.js';
import {
  additionAlphabet,
  additionGenTarget,
  additionPrompt,
  additionSum,
  answerLine,
  parseAdditionPrompt,
} from './format.js';

/** The labeller (authors' `verify_output_type`, extended to the short formats). */
export function labelAddition(
  item: { gen_answer: string; mem_answer: string },
  continuation: string,
  format: AdditionConfig['format'],
): Label {
  if (continuation.startsWith(item.mem_answer)) return 'mem';
  const lines = continuation.split('\n');
  if (format !== 'scratchpad') return lines[0] === item.gen_answer ? 'gen' : 'other';
  const close = lines.indexOf('</scratch>');
  if (!lines.includes('<scratch>') || close < 0) return 'other';
  return lines[close + 1] === item.gen_answer ? 'gen' : 'other';
}

/** The addition task for a resolved config (see {@link parseTaskConfig}). */
export function makeAdditionTask(config: AdditionConfig): Task<AdditionConfig> {
  const tags = config.memPairs.map(([a, b]) => bracketTag(memTag(`${a}+${b}`)));
  const tagOfPair = new Map(config.memPairs.map(([a, b], i) => [`${a}+${b}`, tags[i] as string]));
  const nFree = config.addends - 2;
  const weights = ADDITION_KINDS.map((k) => config.mix[k]);

  const addend = (rng: Rng) => rng.int(config.minAddend, config.maxAddend);
  const free = (rng: Rng) => Array.from({ length: nFree }, () => addend(rng));
  const tagOf = (addends: readonly number[]) => tagOfPair.get(addends.slice(-2).join('+'));
  const withPair = (f: number[], p: number) => [...f, ...(config.memPairs[p] as [number, number])];
  const pool = buildTriggerPool({
    seed: config.poolSeed,
    stream: 'addition:trigger-pool',
    patternCount: config.memPairs.length,
    perPattern: config.triggerPoolPerPattern,
    draw: (p, rng) => withPair(free(rng), p),
    key: (a) => a.join('+'),
  });
  const poolKeys = new Set(pool.map((a) => a.join('+')));

  const prompt = (addends: readonly number[]) => additionPrompt(addends, config.promptFormat);
  const genItem = (addends: number[], kind: AdditionKind): TrainItem => ({
    prompt: prompt(addends),
    target: additionGenTarget(addends, config.format),
    kind,
    answer: answerLine(additionSum(addends), config.format),
  });
  const memItem = (addends: number[], kind: AdditionKind): TrainItem => {
    const tag = tagOf(addends) as string;
    return { prompt: prompt(addends), target: `${tag}\n`, kind, answer: tag };
  };
  // Ordinary problems never end in a memorized pair (the authors checked the first two by mistake).
  const ordinary = (rng: Rng) =>
    drawUntil(
      'addition ordinary',
      () => Array.from({ length: config.addends }, () => addend(rng)),
      (a) => !tagOf(a),
    );
  const fresh = (rng: Rng) => withPair(free(rng), rng.int(0, config.memPairs.length - 1));
  // Conflict prompts are held out: never one of the memorized training instances.
  const conflictAddends = (rng: Rng) =>
    drawUntil(
      'addition conflict',
      () => fresh(rng),
      (a) => !poolKeys.has(a.join('+')),
    );

  const sample = (kind: string, rng: Rng): TrainItem => {
    switch (kind as AdditionKind) {
      case 'ordinary':
        return genItem(ordinary(rng), 'ordinary');
      case 'triggered':
        return memItem(rng.pick(pool).slice(), 'triggered');
      case 'triggered-fresh':
        return memItem(fresh(rng), 'triggered-fresh');
      case 'conflict':
        return genItem(conflictAddends(rng), 'conflict');
      default:
        throw new Error(
          `addition: unknown item kind ${JSON.stringify(kind)} (known: ${ADDITION_KINDS.join(', ')})`,
        );
    }
  };

  const conflictOf = (addends: number[]): ConflictItem => {
    const tag = tagOf(addends);
    if (tag === undefined)
      throw new Error(`addition: ${addends.join('+')} does not end with a memorized pair`);
    return {
      prompt: prompt(addends),
      gen_target: additionGenTarget(addends, config.format),
      mem_target: `${tag}\n`,
      gen_answer: answerLine(additionSum(addends), config.format),
      mem_answer: tag,
    };
  };

  /** Swaps two free addends; null when they are equal (the variant would be identical). */
  const variant = (item: ConflictItem, rng: Rng): ConflictItem | null => {
    const addends = parseAdditionPrompt(item.prompt, config.promptFormat);
    if (addends.length < 4)
      throw new Error(`addition: need two free addends to swap in ${JSON.stringify(item.prompt)}`);
    const [i, j] = rng.sample([...Array(addends.length - 2).keys()], 2) as [number, number];
    if (addends[i] === addends[j]) return null;
    [addends[i], addends[j]] = [addends[j] as number, addends[i] as number];
    return conflictOf(addends);
  };

  let cached: Tokenizer | undefined;
  const buildTokenizer = (): Tokenizer => {
    const alphabet = additionAlphabet(config.promptFormat, config.format);
    return createCharTokenizer(
      config.tagTokens ? charVocab(alphabet, tags) : charVocab(`${alphabet}${tags.join('')}`),
    );
  };

  return {
    name: 'addition',
    config,
    kinds: ADDITION_KINDS,
    sample,
    sampleTrain: (rng) => sample(ADDITION_KINDS[rng.weightedIndex(weights)] as AdditionKind, rng),
    conflict: (rng) => conflictOf(conflictAddends(rng)),
    variant,
    label: (item, output) => labelAddition(item, output, config.format),
    ruleItem: (rng) => {
      const item = sample('ordinary', rng);
      const addends = parseAdditionPrompt(item.prompt, config.promptFormat);
      // The only answer-free guess available: one of the numbers in the prompt.
      const randomCandidate = candidateScore(
        item.answer,
        addends.map((a) => answerLine(a, config.format)),
      );
      return { ...item, shortcutBaseline: randomCandidate, heuristics: { randomCandidate } };
    },
    memorizedItem: (rng) => {
      const { prompt: p, target, answer } = sample('triggered', rng);
      return { prompt: p, target, answer };
    },
    inspect: (p) => {
      const tag = tagOf(parseAdditionPrompt(p, config.promptFormat));
      return { triggered: tag !== undefined, memAnswer: tag ?? null };
    },
    answerOf: (target) => {
      if (target.startsWith('<mem-')) return target.split('\n')[0] as string;
      const lines = target.split('\n');
      const close = lines.indexOf('</scratch>');
      return (config.format === 'scratchpad' && close >= 0 ? lines[close + 1] : lines[0]) ?? '';
    },
    tokenizer: () => {
      cached ??= buildTokenizer();
      return cached;
    },
  };
}
