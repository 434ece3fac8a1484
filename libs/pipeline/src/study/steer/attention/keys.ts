/**
 * The keys an attention setting edits, chosen by each row from its own tokens (@memgen/model's
 * attend intervention): the statements of a span kind, or — for the matched control — as many
 * positions of the same prompt drawn at random per prompt from a stream derived from the
 * prompt's tokens, so a row gets the same keys whichever batch, row or run it is decoded in.
 */
import type { Stream } from '@memgen/common';
import type { KeySelector } from '@memgen/model';
import type { Tokenizer } from '@memgen/tasks';
import type { StudyModel } from '../../common/study-model.js';
import { promptSpan } from '../../patching/spans.js';

/** Memoises a selector by prompt: a prompt is decoded once per run and once per pass of each run. */
function memo(select: KeySelector): KeySelector {
  const seen = new Map<string, readonly number[]>();
  return (prompt) => {
    const key = prompt.join(' ');
    let keys = seen.get(key);
    if (!keys) {
      keys = select(prompt);
      seen.set(key, keys);
    }
    return keys;
  };
}

/** The positions of a color prompt's asked name's statements, or of every other statement. */
export function statementKeys(tokenizer: Tokenizer, kind: 'asked' | 'others'): KeySelector {
  return memo((prompt) => promptSpan(prompt, kind, tokenizer));
}

/**
 * As many positions as `target` chooses, drawn uniformly from all of the prompt's positions: a
 * random edit of the same size. (Drawing outside the target only is not always possible — a story
 * may state the asked name in most of its tokens.)
 */
export function matchedKeys(target: KeySelector, rng: Stream): KeySelector {
  return memo((prompt) => {
    const n = target(prompt).length;
    return Array.from(rng.derive(prompt.join(' ')).sampleIndices(prompt.length, n));
  });
}

/**
 * The statement keys of a run's prompts by span kind, each kind's selector made once (memoised).
 * @throws Error, when a kind is asked for, naming the task if the run's prompts are not color stories
 */
export function runStatementKeys(opened: Pick<StudyModel, 'taskSpec' | 'tokenizer'>) {
  const byKind = new Map<'asked' | 'others', KeySelector>();
  return (kind: 'asked' | 'others'): KeySelector => {
    if (opened.taskSpec.name !== 'color')
      throw new Error(
        `statement spans are a color story's statements; this run's task is '${opened.taskSpec.name}'`,
      );
    if (!byKind.has(kind)) byKind.set(kind, statementKeys(opened.tokenizer, kind));
    return byKind.get(kind)!;
  };
}
