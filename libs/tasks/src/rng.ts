/**
 * The task generators' names for the shared random streams of @memgen/common (random.ts): a task
 * draws from `makeRng(seed, streamName)`, which is `stream(seed, streamName)`, so every dataset keeps
 * its numbers, and the trainer restores a data stream from a checkpoint with `rngFromState`.
 */
export {
  Stream as Rng,
  type StreamState as RngState,
  stream as makeRng,
  streamFromState as rngFromState,
} from '@memgen/common';
