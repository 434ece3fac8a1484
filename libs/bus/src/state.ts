/**
 * Run, sweep and job state in a JetStream KV bucket, typed by zod schemas: values are msgpack
 * (the bus codec) and validated on every read, so a coordinator restarted from KV never acts on a
 * half-understood record. Keys are dotted paths such as `job.<id>` or `dead.train.<id>`.
 */

import { parseWith } from '@memgen/common';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { z } from 'zod';
import { type BucketOptions, bucketSettings } from './bucket.js';
import { type BusCodec, createBusCodec } from './codec.js';
import { BusMessageError, errorText } from './errors.js';
import { STATE_BUCKET } from './subjects.js';

const KEY_PART = /^[A-Za-z0-9_=-]+$/;

/** Joins key parts with '.', checking each is a non-empty run of [A-Za-z0-9_=-]. */
export function stateKey(...parts: string[]): string {
  for (const part of parts) {
    if (!KEY_PART.test(part)) {
      throw new Error(`state key part ${JSON.stringify(part)} must match ${KEY_PART}`);
    }
  }
  if (parts.length === 0) throw new Error('state key needs at least one part');
  return parts.join('.');
}

export interface StateEntry<T> {
  key: string;
  value: T;
  /** KV revision: pass it back as previousRevision for a compare-and-set. */
  revision: number;
}

export type StateChange<T> =
  | { operation: 'put'; key: string; revision: number; value: T }
  | { operation: 'delete'; key: string; revision: number }
  /** The stored bytes failed to decode or validate; the watch goes on. */
  | { operation: 'invalid'; key: string; revision: number; error: BusMessageError };

/** A running watch: iterate it for changes, stop() to end it. */
export interface StateWatch<T> extends AsyncIterable<StateChange<T>> {
  stop(): void;
}

/** Options of the bucket (default STATE_BUCKET) and of its values. */
export interface StateStoreOptions extends BucketOptions {
  /** Revisions kept per key (default 1). Applies only when the bucket is created. */
  history?: number;
  /** Value codec (default createBusCodec()). */
  codec?: BusCodec;
}

export class StateStore {
  private constructor(
    readonly bucket: string,
    /** The underlying KV bucket, for tooling and tests that need raw access. */
    readonly kv: KV,
    private readonly codec: BusCodec,
  ) {}

  /** Opens the state bucket, creating it (file storage) when it does not exist. */
  static async open(nc: NatsConnection, options: StateStoreOptions = {}): Promise<StateStore> {
    const { bucket, creation } = bucketSettings(options, STATE_BUCKET);
    const kv = await new Kvm(nc).create(bucket, { ...creation, history: options.history ?? 1 });
    return new StateStore(bucket, kv, options.codec ?? createBusCodec());
  }

  /**
   * The current value of `key`, or null when absent or deleted.
   * @throws BusMessageError naming the key (and field) when the stored value is not a valid T.
   */
  async get<T>(key: string, schema: z.ZodType<T>): Promise<StateEntry<T> | null> {
    const entry = await this.kv.get(key);
    if (entry === null || entry.operation !== 'PUT') return null;
    return { key, value: this.decode(entry, schema), revision: entry.revision };
  }

  /**
   * Validates and stores `value`; with previousRevision, only if the key is still at that revision
   * (0 = only if absent). Returns the new revision.
   */
  async put<T>(
    key: string,
    schema: z.ZodType<T>,
    value: T,
    options: { previousRevision?: number } = {},
  ): Promise<number> {
    const checked = validate(schema, value, key, 'refusing to store');
    const bytes = this.codec.encode(checked);
    if (options.previousRevision === undefined) return this.kv.put(key, bytes);
    if (options.previousRevision === 0) return this.kv.create(key, bytes);
    return this.kv.update(key, bytes, options.previousRevision);
  }

  /** Deletes `key` (a tombstone; watchers see a 'delete'). */
  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }

  /** Keys matching a filter such as 'job.>' (default all), sorted. */
  async keys(filter = '>'): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(filter)) keys.push(key);
    return keys.sort();
  }

  /**
   * Keeps the `keep` most recently written keys matching `filter` and purges the older ones (their
   * values go; one small marker per key stays), returning the purged keys. Used to bound records that
   * accumulate, such as dead letters, without an expiry that would also reach live job state.
   */
  async keepNewest(filter: string, keep: number): Promise<string[]> {
    const keys: string[] = [];
    // The listing is a last-per-subject consumer: keys arrive in stream order, oldest write first.
    for await (const key of await this.kv.keys(filter)) keys.push(key);
    const older = keys.slice(0, Math.max(0, keys.length - keep));
    for (const key of older) await this.kv.purge(key);
    return older;
  }

  /**
   * Watches keys matching `filter`: first the current values (unless updatesOnly), then every
   * change as it happens.
   */
  async watch<T>(
    filter: string,
    schema: z.ZodType<T>,
    options: { updatesOnly?: boolean } = {},
  ): Promise<StateWatch<T>> {
    const iterator: QueuedIterator<KvEntry> = await this.kv.watch({
      key: filter,
      ...(options.updatesOnly ? { include: 'updates' as const } : {}),
    });
    const decode = (entry: KvEntry): StateChange<T> => {
      const base = { key: entry.key, revision: entry.revision };
      if (entry.operation !== 'PUT') return { operation: 'delete', ...base };
      try {
        return { operation: 'put', ...base, value: this.decode(entry, schema) };
      } catch (error) {
        if (error instanceof BusMessageError) return { operation: 'invalid', ...base, error };
        throw error;
      }
    };
    return {
      stop: () => iterator.stop(),
      async *[Symbol.asyncIterator]() {
        for await (const entry of iterator) yield decode(entry);
      },
    };
  }

  private decode<T>(entry: KvEntry, schema: z.ZodType<T>): T {
    let raw: unknown;
    try {
      raw = this.codec.decode(entry.value);
    } catch (error) {
      throw new BusMessageError('malformed', `state ${this.bucket}/${entry.key}: ${errorText(error)}`);
    }
    return validate(schema, raw, `${this.bucket}/${entry.key}`, 'invalid stored value');
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, where: string, what: string): T {
  return parseWith(
    schema,
    value,
    `state ${where}: ${what}`,
    (text, field) => new BusMessageError('invalid', text, field),
  );
}
