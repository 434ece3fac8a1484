import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { sha256 } from '@memgen/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { ArtefactStore, DIGEST_METADATA_KEY } from './artefacts.js';
import { ArtefactDigestError, ArtefactMissingError, PermanentJobError } from './errors.js';
import { useConnection } from './testing/bus-fixture.js';

/** Every regular file under `dir`, as sorted '/'-separated relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure is reproducible. */
function patternBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

describeWithNats('artefact store (Object Store)', (server) => {
  const bus = useConnection(() => server().url, 'artefacts-test');
  let store: ArtefactStore;
  let work: string;

  beforeAll(async () => {
    store = await ArtefactStore.open(bus.nc);
    work = await mkdtemp(join(tmpdir(), 'memgen-bus-artefacts-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('round-trips a 16 MiB file bit-exact, with its SHA-256 recorded', async () => {
    const bytes = patternBytes(16 * 1024 * 1024, 7);
    const source = join(work, 'ckpt.bin');
    await writeFile(source, bytes);
    const ref = await store.putFile('runs/r1/ckpt.bin', source);
    expect(ref).toEqual({ name: 'runs/r1/ckpt.bin', digest: sha256(bytes), size: 16 * 1024 * 1024 });
    expect((await store.objects.info(ref.name))?.metadata?.[DIGEST_METADATA_KEY]).toBe(ref.digest);

    const target = join(work, 'out', 'ckpt.bin');
    expect(await store.getToFile(ref, target)).toEqual(ref);
    expect(Buffer.compare(await readFile(target), Buffer.from(bytes))).toBe(0);
    expect(Buffer.compare(Buffer.from(await store.getBytes(ref)), Buffer.from(bytes))).toBe(0);
  });

  it('does not upload identical bytes twice (a redelivered job makes no duplicate artefact)', async () => {
    const bytes = patternBytes(1000, 3);
    await store.putBytes('runs/r2/x.bin', bytes);
    const first = await store.objects.info('runs/r2/x.bin');
    await store.putBytes('runs/r2/x.bin', bytes);
    expect((await store.objects.info('runs/r2/x.bin'))?.revision).toBe(first?.revision);
    // Different bytes under the same name do replace it.
    await store.putBytes('runs/r2/x.bin', patternBytes(1000, 4));
    expect((await store.objects.info('runs/r2/x.bin'))?.revision).toBeGreaterThan(first!.revision);
  });

  it('detects bytes that do not match their recorded digest, and never writes them to disk', async () => {
    const bytes = patternBytes(300_000, 11);
    const wrong = sha256(patternBytes(300_000, 12));
    await store.objects.putBlob(
      { name: 'runs/r3/corrupt.bin', metadata: { [DIGEST_METADATA_KEY]: wrong } },
      bytes,
    );
    await expect(store.getBytes('runs/r3/corrupt.bin')).rejects.toThrow(ArtefactDigestError);
    const target = join(work, 'corrupt', 'corrupt.bin');
    const error = await store.getToFile('runs/r3/corrupt.bin', target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtefactDigestError);
    expect(error).toBeInstanceOf(PermanentJobError);
    expect((error as ArtefactDigestError).expected).toBe(wrong);
    expect((error as ArtefactDigestError).actual).toBe(sha256(bytes));
    expect((error as Error).message).toContain('runs/r3/corrupt.bin');
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
    await expect(filesUnder(join(work, 'corrupt'))).resolves.toEqual([]);
  });

  it("refuses an artefact whose digest differs from the job's reference", async () => {
    const ref = await store.putBytes('runs/r4/a.bin', patternBytes(10, 1));
    const stale = { ...ref, digest: sha256(patternBytes(10, 2)) };
    const error = await store.getBytes(stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtefactDigestError);
    expect((error as Error).message).toContain("job's expected digest");
  });

  it('names the missing artefact and bucket', async () => {
    const error = await store.getBytes('runs/nope/missing.bin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtefactMissingError);
    expect((error as Error).message).toBe(
      'artefact "runs/nope/missing.bin" is not in object store bucket "memgen-artefacts"',
    );
    expect(await store.info('runs/nope/missing.bin')).toBeNull();
  });
});
