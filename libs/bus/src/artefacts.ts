/**
 * Artefacts (checkpoints, activations, statistics) in the JetStream Object Store. Every object
 * carries the hex SHA-256 of its bytes in its metadata; every read recomputes it and refuses a
 * mismatch, so a corrupt or substituted artefact can never reach a stage. Puts are idempotent: an
 * object already stored under the same name with the same digest is not uploaded again, so a
 * redelivered job does not duplicate its outputs.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { fileDigest, parseWith, retryWithBackoff, sha256 } from '@memgen/common';
import { jetstream } from '@nats-io/jetstream';
import { type NatsConnection, TimeoutError } from '@nats-io/nats-core';
import { type ObjectInfo, type ObjectResult, type ObjectStore, Objm } from '@nats-io/obj';
import { type BucketOptions, bucketSettings } from './bucket.js';
import { ArtefactDigestError, ArtefactMissingError } from './errors.js';
import { type ArtefactRef, ArtefactRefSchema } from './schemas.js';
import { ARTEFACTS_BUCKET } from './subjects.js';

/** Metadata key holding an object's hex SHA-256. */
export const DIGEST_METADATA_KEY = 'memgen-sha256';

/** Options of the bucket (default ARTEFACTS_BUCKET). */
export interface ArtefactStoreOptions extends BucketOptions {
  /** Bucket size limit in bytes (default: server limit). Applies only when the bucket is created. */
  maxBytes?: number;
}

/** A name alone, or a full reference whose digest the bytes must also match. */
export type ArtefactTarget = string | ArtefactRef;

export class ArtefactStore {
  private constructor(
    readonly bucket: string,
    /** The underlying Object Store, for tooling and tests that need raw access. */
    readonly objects: ObjectStore,
    /** The same bucket through a JetStream context whose API requests give up sooner (pastOfflinePeers). */
    private readonly reads: ObjectStore,
  ) {}

  /** Opens the artefact bucket, creating it (file storage) when it does not exist. */
  static async open(nc: NatsConnection, options: ArtefactStoreOptions = {}): Promise<ArtefactStore> {
    const { bucket, creation } = bucketSettings(options, ARTEFACTS_BUCKET);
    const objects = await new Objm(nc).create(bucket, {
      ...creation,
      ...(options.maxBytes === undefined ? {} : { max_bytes: options.maxBytes }),
    });
    const reads = await new Objm(jetstream(nc, { timeout: READ_REQUEST_TIMEOUT_MS })).open(bucket);
    return new ArtefactStore(bucket, objects, reads);
  }

  /** Stores bytes under `name` with their digest; skips the upload when identical bytes are there. */
  async putBytes(name: string, bytes: Uint8Array): Promise<ArtefactRef> {
    const ref = makeRef(name, sha256(bytes), bytes.byteLength);
    if (await this.holds(ref)) return ref;
    await this.objects.putBlob(meta(ref), bytes);
    return ref;
  }

  /**
   * Streams a file into the store under `name`. The file is hashed first (one extra read) because
   * the digest goes into the object's metadata; a file changed between the two reads is caught as
   * corrupt by every later reader.
   */
  async putFile(name: string, path: string): Promise<ArtefactRef> {
    const { size } = await stat(path);
    const ref = makeRef(name, await fileDigest(path), size);
    if (await this.holds(ref)) return ref;
    const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
    await this.objects.put(meta(ref), body);
    return ref;
  }

  /** The stored reference for `name`, or null when absent. */
  async info(name: string): Promise<ArtefactRef | null> {
    const info = await this.objects.info(name);
    if (info === null || info.deleted) return null;
    const digest = recordedDigest(info);
    return digest === undefined ? null : makeRef(name, digest, info.size);
  }

  /**
   * Reads a whole artefact into memory and verifies it.
   * @throws ArtefactMissingError when absent; ArtefactDigestError when the bytes do not hash to
   *   the recorded digest or to `target.digest`.
   */
  async getBytes(target: ArtefactTarget): Promise<Uint8Array> {
    const { name, result } = await this.fetch(target);
    const chunks: Uint8Array[] = [];
    const actual = await readAll(name, result, (chunk) => {
      chunks.push(chunk);
    });
    verify(name, result.info, target, actual);
    return Buffer.concat(chunks);
  }

  /**
   * Streams an artefact to `path` via a temporary file that is renamed into place only after the
   * digest checks out, so a corrupt download never appears at `path`.
   * @throws ArtefactMissingError, ArtefactDigestError as getBytes.
   */
  async getToFile(target: ArtefactTarget, path: string): Promise<ArtefactRef> {
    const { name, result } = await this.fetch(target);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.partial-${process.pid}`;
    const file = await open(temporary, 'w');
    let size = 0;
    try {
      const actual = await readAll(name, result, async (chunk) => {
        size += chunk.byteLength;
        await file.write(chunk);
      });
      await file.close();
      verify(name, result.info, target, actual);
      await rename(temporary, path);
      return makeRef(name, actual, size);
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Removes an artefact (no error when absent). */
  async delete(name: string): Promise<void> {
    if ((await this.objects.info(name)) !== null) await this.objects.delete(name);
  }

  /** True when an object with exactly this name, digest and size is stored. */
  async holds(ref: ArtefactRef): Promise<boolean> {
    const info = await pastOfflinePeers(() => this.reads.info(ref.name));
    return info !== null && !info.deleted && info.size === ref.size && recordedDigest(info) === ref.digest;
  }

  private async fetch(target: ArtefactTarget) {
    const name = typeof target === 'string' ? target : target.name;
    const result = await pastOfflinePeers(() => this.reads.get(name));
    if (result === null) throw new ArtefactMissingError(this.bucket, name);
    // Refuse before downloading when the recorded digest already contradicts the expected one.
    const recorded = recordedDigest(result.info);
    if (typeof target !== 'string' && recorded !== undefined && recorded !== target.digest) {
      await result.data.cancel();
      throw new ArtefactDigestError(name, target.digest, recorded, "job's expected digest");
    }
    return { name, result };
  }
}

/**
 * How long a read's API request (object info, creating its consumer) waits before it is asked
 * again, and how often. A healthy server answers these in milliseconds; the library's default
 * (5 s) made every read that met an offline peer cost 5 s, which in a sweep adds up to minutes.
 */
const READ_REQUEST_TIMEOUT_MS = 1500;
const READ_ATTEMPTS = 10;

/**
 * A read retried when it times out. In a cluster with a server down, the short-lived consumer a
 * read opens is sometimes placed on the offline peer (nats-server 2.9/2.10) and never answers;
 * asking again places it elsewhere. Other errors are not retried here.
 */
function pastOfflinePeers<T>(read: () => Promise<T>): Promise<T> {
  return retryWithBackoff(read, {
    attempts: READ_ATTEMPTS,
    delaysMs: [100],
    retryable: (err) => err instanceof TimeoutError,
  });
}

/**
 * Feeds every chunk of an Object Store read to `onChunk` and returns the hex SHA-256 of the bytes.
 * The Object Store checks its own (base64) digest as well and fails the stream on a mismatch; that
 * failure is reported as an ArtefactDigestError too.
 */
async function readAll(
  name: string,
  result: ObjectResult,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
): Promise<string> {
  const hash = createHash('sha256');
  let failure: unknown;
  try {
    for await (const chunk of result.data) {
      hash.update(chunk);
      await onChunk(chunk);
    }
  } catch (error) {
    failure = error;
  }
  // Always settle the read's own error promise: left alone, its rejection would go unhandled.
  const streamError = await result.error.catch((error: unknown) => error);
  failure ??= streamError ?? undefined;
  if (failure instanceof Error && /digest/i.test(failure.message)) {
    const firstLine = failure.message.split('\n')[0];
    throw new ArtefactDigestError(
      name,
      result.info.digest,
      `different (${firstLine})`,
      'Object Store digest',
    );
  }
  if (failure !== undefined) throw failure;
  return hash.digest('hex');
}

function makeRef(name: string, digest: string, size: number): ArtefactRef {
  return parseWith(ArtefactRefSchema, { name, digest, size }, `artefact ${JSON.stringify(name)}`);
}

function meta(ref: ArtefactRef) {
  return { name: ref.name, metadata: { [DIGEST_METADATA_KEY]: ref.digest } };
}

function recordedDigest(info: ObjectInfo): string | undefined {
  return info.metadata?.[DIGEST_METADATA_KEY];
}

/** Checks the computed digest against the recorded one and, for a reference, the expected one. */
function verify(name: string, info: ObjectInfo, target: ArtefactTarget, actual: string): void {
  const recorded = recordedDigest(info);
  if (recorded === undefined) {
    throw new ArtefactDigestError(name, '(none: not written by ArtefactStore)', actual, 'recorded digest');
  }
  if (actual !== recorded) throw new ArtefactDigestError(name, recorded, actual, 'recorded digest');
  if (typeof target !== 'string' && actual !== target.digest) {
    throw new ArtefactDigestError(name, target.digest, actual, "job's expected digest");
  }
}
