/**
 * Where a learned direction is added, as the model takes it: a named position, or — for 'asked' —
 * the span of the asked name's statements that each row finds in its own tokens.
 */
import type { HookPosition, KeySelector, SpanPosition } from '@memgen/model';
import type { DirectionFamily } from './config.js';

export type Placement = HookPosition | SpanPosition;

/** The statements of each color prompt of a span kind (../attention/keys.ts), when the run has them. */
export type SpanKeys = (kind: 'asked' | 'others') => KeySelector;

/**
 * A direction family's position as an intervention's.
 * @throws Error when the family asks for a span the run cannot find (a task without color stories)
 */
export function placementOf(position: DirectionFamily['position'], spans: SpanKeys | undefined): Placement {
  if (position !== 'asked') return position;
  if (!spans) throw new Error("a learned direction at position 'asked' needs color prompts' statements");
  return { span: spans('asked') };
}
