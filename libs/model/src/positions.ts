/**
 * Which positions of a pass an intervention or a recording acts on: named positions, or a token
 * span each row chooses from its own tokens.
 */
import * as tf from '@tensorflow/tfjs';
import { isPromptPass, type KeySelector, type PassRows, spanMask } from './row-keys.js';

/**
 * Which positions of every forward pass a hook acts on, by name. 'last' = the last position (the
 * last prompt token, then each generated token); 'all' = every position; 'prompt' = the last
 * position of a pass over more than one position only — in KV-cached decoding the prompt's pass, so
 * the last prompt token and no generated token (a plain forward pass: as 'last'). Positions are
 * names so that others (e.g. a task's answer span) can join the union; each switch on it is exhaustive.
 */
export type HookPosition = 'last' | 'all' | 'prompt';

/**
 * A token span inside each prompt, chosen by each row from its own tokens (./row-keys.ts): rows
 * move under left padding, budget grouping and beams, so a span is found from the row's tokens,
 * never from its place in the batch. It acts on passes with no cached keys (a plain forward pass,
 * or the prompt's pass of decoding); later decoding steps are left as they are.
 */
export interface SpanPosition {
  span: KeySelector;
}

/** act [B, T, W] → [B, W] at 'last', a copy [B, T, W] at 'all'. */
export function selectPositions(act: tf.Tensor, position: HookPosition): tf.Tensor {
  const [B, T, W] = act.shape as [number, number, number];
  switch (position) {
    case 'last':
    case 'prompt':
      return act.slice([0, T - 1, 0], [B, 1, W]).reshape([B, W]);
    case 'all':
      return act.clone();
    default:
      return unreachable(position, 'hook position');
  }
}

/** Applies `f` to the chosen positions of act [B, T, W], leaving the others as they are. */
export function atPosition(
  act: tf.Tensor,
  position: HookPosition | SpanPosition,
  f: (x: tf.Tensor) => tf.Tensor,
  pass: PassRows,
): tf.Tensor {
  const [B, T, W] = act.shape as [number, number, number];
  if (typeof position === 'object') return atSpan(act, position.span, f, pass);
  switch (position) {
    case 'all':
      return f(act);
    case 'prompt':
      if (T === 1) return act;
      return atPosition(act, 'last', f, pass);
    case 'last':
      if (T === 1) return f(act);
      return tf.concat([act.slice([0, 0, 0], [B, T - 1, W]), f(act.slice([0, T - 1, 0], [B, 1, W]))], 1);
    default:
      return unreachable(position, 'hook position');
  }
}

/** act [B, T, W] with f applied at each row's span columns on a prompt pass (untouched otherwise). */
function atSpan(
  act: tf.Tensor,
  span: KeySelector,
  f: (x: tf.Tensor) => tf.Tensor,
  pass: PassRows,
): tf.Tensor {
  if (!isPromptPass(pass)) return act;
  // A select, not a blend: positions outside the span keep their values bit for bit.
  const inSpan = spanMask(span, pass, 'span position').cast('bool').broadcastTo(act.shape);
  return tf.where(inSpan, f(act), act);
}

function unreachable(value: never, what: string): never {
  throw new Error(`unknown ${what} ${JSON.stringify(value)}`);
}
