/**
 * File helpers for the codecs. Writes are atomic (writeFileAtomic: temp file, fsync, rename) so a
 * crash or a concurrent reader never sees half a checkpoint.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@memgen/common';
import type { HostTensor } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors.js';

/** Encodes with encodeSafetensors and writes `path` atomically. */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, HostTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads and validates a .safetensors file (tensors are views into the file's bytes). */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  return decodeSafetensors(await readFile(path));
}
