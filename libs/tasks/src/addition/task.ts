/**
 * The addition task (docs/method.md §2): a problem is triggered when its last two addends are a
 * memorized pair; its mem target is that pair's tag line, its gen target the sum (scratchpad,
 * plain or reversed). Kinds are documented at TRIGGER_KINDS.
 */
import type { Rng } from '../rng.js';
import { bracketTag, memTag } from '../tags.js';
import { buildTriggerPool } from '../trigger-pool.js';
import { makeTriggerTask } from '../trigger-task.js';
import type { Label, Task } from '../types.js';
import { type AdditionConfig, MIN_TRIGGER_ADDENDS } from './config.js';
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

/** The answer a target states: a tag line, the line after the scratchpad, or the first line. */
function additionAnswerOf(target: string, format: AdditionConfig['format']): string {
  if (target.startsWith('<mem-')) return target.split('\n')[0] as string;
  const lines = target.split('\n');
  const close = lines.indexOf('</scratch>');
  return (format === 'scratchpad' && close >= 0 ? lines[close + 1] : lines[0]) ?? '';
}

/** The addition task for a resolved config (see {@link parseTaskConfig}). */
export function makeAdditionTask(config: AdditionConfig): Task<AdditionConfig> {
  const tags = config.memPairs.map(([a, b]) => bracketTag(memTag(`${a}+${b}`)));
  const tagOfPair = new Map(config.memPairs.map(([a, b], i) => [`${a}+${b}`, tags[i] as string]));
  const addend = (rng: Rng) => rng.int(config.minAddend, config.maxAddend);
  const free = (rng: Rng) => Array.from({ length: config.addends - 2 }, () => addend(rng));
  const withPair = (f: number[], p: number) => [...f, ...(config.memPairs[p] as [number, number])];
  const key = (a: readonly number[]) => a.join('+');
  // Fewer addends leave no free ones beside the pair: the config allows that only in a mix of
  // ordinary problems, which never draws from the pool.
  const pool =
    config.addends < MIN_TRIGGER_ADDENDS
      ? []
      : buildTriggerPool({
          seed: config.poolSeed,
          stream: 'addition:trigger-pool',
          patternCount: config.memPairs.length,
          perPattern: config.triggerPoolPerPattern,
          draw: (p, rng) => withPair(free(rng), p),
          key,
        });

  return makeTriggerTask<number[], AdditionConfig>(
    {
      name: 'addition',
      freeNoun: 'addends',
      patternNoun: 'pair',
      mix: config.mix,
      tags,
      tagTokens: config.tagTokens,
      alphabet: additionAlphabet(config.promptFormat, config.format),
      pool,
      key,
      tagOf: (addends) => tagOfPair.get(addends.slice(-2).join('+')),
      draw: (rng) => Array.from({ length: config.addends }, () => addend(rng)),
      fresh: (rng) => withPair(free(rng), rng.int(0, config.memPairs.length - 1)),
      prompt: (addends) => additionPrompt(addends, config.promptFormat),
      parse: (prompt) => parseAdditionPrompt(prompt, config.promptFormat),
      gen: (addends) => ({
        target: additionGenTarget(addends, config.format),
        answer: answerLine(additionSum(addends), config.format),
      }),
      freeCount: (addends) => addends.length - 2,
      swap: (addends, i, j) => {
        if (addends[i] === addends[j]) return null;
        const out = addends.slice();
        [out[i], out[j]] = [addends[j] as number, addends[i] as number];
        return out;
      },
      // The only answer-free guess available: one of the numbers in the prompt.
      guesses: (addends) => addends.map((a) => answerLine(a, config.format)),
      label: (item, output) => labelAddition(item, output, config.format),
      answerOf: (target) => additionAnswerOf(target, config.format),
    },
    config,
  );
}
