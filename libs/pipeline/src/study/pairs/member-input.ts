/**
 * The batch layout every stage that runs pairs through the model shares (record, patching, the
 * steering calibration): one forward input of a batch's mem members, then its gen members.
 */
import { type ForwardInput, leftPad, toForwardInput } from '@memgen/model';
import type { PairLine } from './pairs-file.js';

/**
 * A batch of pairs as one forward input: rows 0..b-1 the mem members, b..2b-1 the gen members, left
 * padded so every row's last prompt token is the last column (what 'last' records and patches).
 */
export function memberInput(batch: readonly PairLine[], padId: number): ForwardInput {
  return toForwardInput(
    leftPad([...batch.map((p) => p.mem.tokens), ...batch.map((p) => p.gen.tokens)], padId),
  );
}
