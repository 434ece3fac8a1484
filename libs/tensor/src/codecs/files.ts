/**
 * File helpers for the codecs. Writes are atomic (temp file in the same directory, fsync, rename)
 * so a crash or a concurrent reader never sees half a checkpoint.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HostTensor } from './host-tensor.js';
import { decodeNpy, encodeNpy } from './npy.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors.js';

let tempCounter = 0;

/** Writes `bytes` to `path` atomically; the directory must exist. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  tempCounter += 1;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

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

/** Encodes with encodeNpy and writes `path` atomically. */
export async function writeNpy(path: string, tensor: HostTensor): Promise<void> {
  await writeFileAtomic(path, encodeNpy(tensor));
}

/** Reads and validates a .npy file. */
export async function readNpy(path: string): Promise<HostTensor> {
  return decodeNpy(await readFile(path));
}
