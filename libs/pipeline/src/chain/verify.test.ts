/**
 * Reading a run as a consumer: a file counts only when its stage record holds its digest and that
 * record is still the chain's. A three-stage chain written by hand (train → pairs → stats), then
 * each way a careful user damages it: a changed file, a file no stage wrote, an upstream stage run
 * again, a record copied from another run, a symlink out of the run.
 */
import { cp, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFiles } from './digests.js';
import { RECORD_FORMAT, stageRecordFile, writeStageRecord } from './records.js';
import { RunVerifier } from './verify.js';

let root: string;
let base: string;
let n = 0;

const HASH = 'a'.repeat(64);

async function write(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), text);
}

/** Writes `stage`'s outputs and its record, reading `inputs` (files and upstream records). */
async function stage(dir: string, name: string, outputs: Record<string, string>, inputs: string[]) {
  for (const [file, text] of Object.entries(outputs)) await write(dir, file, text);
  await writeStageRecord(dir, {
    format: RECORD_FORMAT,
    stage: name,
    config_hash: HASH,
    inputs: await digestFiles(dir, inputs),
    outputs: await digestFiles(dir, Object.keys(outputs)),
    result: null,
  });
}

/** A run of the three stages; `pairs` varies what the pairs stage wrote. */
async function makeRun(dir: string, pairs = 'pair 1\n'): Promise<string> {
  await stage(dir, 'train', { 'checkpoint/model.bin': 'weights', 'train/summary.json': '{}' }, []);
  await stage(dir, 'pairs', { 'pairs.jsonl': pairs }, ['checkpoint/model.bin', stageRecordFile('train')]);
  await stage(dir, 'stats', { 'stats.bin': `stats of ${pairs}` }, ['pairs.jsonl', stageRecordFile('pairs')]);
  return dir;
}

async function copyOfRun(): Promise<string> {
  const dir = join(root, `run-${n++}`);
  await cp(base, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'memgen-verify-'));
  base = await makeRun(join(root, 'base'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('RunVerifier', () => {
  it('accepts the files of a consistent chain and its records', async () => {
    const v = new RunVerifier(base);
    expect(await v.file('stats.bin')).toBe(join(base, 'stats.bin'));
    expect(await v.file('train/summary.json')).toBe(join(base, 'train/summary.json'));
    expect((await v.record('pairs')).stage).toBe('pairs');
    await v.outputs('train');
  });

  it('refuses a file changed or truncated after its stage wrote it, naming it', async () => {
    const dir = await copyOfRun();
    await writeFile(join(dir, 'stats.bin'), 'other statistics');
    await expect(new RunVerifier(dir).file('stats.bin')).rejects.toThrow(
      `${join(dir, 'stats.bin')} is not the file the stats stage wrote (its SHA-256 differs from stages/stats.json)`,
    );
    await truncate(join(dir, 'train/summary.json'), 1);
    await expect(new RunVerifier(dir).file('train/summary.json')).rejects.toThrow(
      `${join(dir, 'train/summary.json')} is not the file the train stage wrote`,
    );
  });

  it('refuses a file no stage record lists, and a missing one', async () => {
    const dir = await copyOfRun();
    await write(dir, 'probes.json', '{}');
    await expect(new RunVerifier(dir).file('probes.json')).rejects.toThrow(
      `${join(dir, 'probes.json')} is in no stage record of ${dir}`,
    );
    await expect(new RunVerifier(dir).file('steering.json')).rejects.toThrow(
      `${join(dir, 'steering.json')}: no such file`,
    );
  });

  it('refuses the files of a stage whose upstream ran again since', async () => {
    const dir = await copyOfRun();
    await stage(dir, 'pairs', { 'pairs.jsonl': 'pair 2\n' }, [
      'checkpoint/model.bin',
      stageRecordFile('train'),
    ]);
    await expect(new RunVerifier(dir).file('stats.bin')).rejects.toThrow(
      `${join(dir, 'stages/stats.json')} is stale: the stats stage read another stages/pairs.json than the one here now`,
    );
    await rm(join(dir, stageRecordFile('pairs')));
    await expect(new RunVerifier(dir).file('stats.bin')).rejects.toThrow(/stages\/stats\.json is stale/);
  });

  it("refuses another run's file and record copied in together", async () => {
    const other = await makeRun(join(root, 'other'), 'pair 9\n');
    const dir = await copyOfRun();
    for (const f of ['stats.bin', stageRecordFile('stats')]) await cp(join(other, f), join(dir, f));
    await expect(new RunVerifier(dir).file('stats.bin')).rejects.toThrow(
      'or one of the records came from another run',
    );
  });

  it('refuses a file that resolves outside the root through a symlink', async () => {
    const dir = await copyOfRun();
    const outside = join(root, 'elsewhere.bin');
    await cp(join(dir, 'stats.bin'), outside);
    await rm(join(dir, 'stats.bin'));
    await symlink(outside, join(dir, 'stats.bin'));
    await expect(new RunVerifier(dir).file('stats.bin')).rejects.toThrow(
      `${join(dir, 'stats.bin')} resolves to ${outside}, outside ${dir}: refused`,
    );
    // Inside the root given (a sweep's), the same link is fine.
    await expect(new RunVerifier(dir, root).file('stats.bin')).resolves.toBe(join(dir, 'stats.bin'));
  });
});
