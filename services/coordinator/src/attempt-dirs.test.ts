/**
 * Attempt directories carry their maker's pid, and none outlives its attempt: a job that ran, one
 * that failed and one stopped midway leave the work root as they found it.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeJob } from '@memgen/bus';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptDirPrefix } from './attempt-dirs.js';
import { executeJob } from './execute-job.js';
import { FileArtefactStore } from './fs-artefacts.js';
import { expandSweep, unitJob } from './plan.js';
import { parseSweepSpec } from './sweep-spec.js';
import { tinySweepSpec } from './testing/tiny-sweep.js';

let root: string;
beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'memgen-attempts-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('attempt directories', () => {
  it("are named with the stage and this process's pid", () => {
    expect(attemptDirPrefix('/w', 'training')).toBe(`/w/memgen-training-p${process.pid}-`);
  });

  it('are removed after a job that ran, one that failed and one that was stopped', async () => {
    const work = join(root, 'work');
    await mkdir(work);
    const store = new FileArtefactStore(join(root, 'store'));
    const seen = new Set<string>();
    const watch = async () => {
      for (const name of await readdir(work)) seen.add(name);
    };
    const train = unitJob(expandSweep(parseSweepSpec(tinySweepSpec([0])))[0]!, 'training', []);
    await executeJob(train, store, { workRoot: work, log: () => {}, progress: () => void watch() });
    expect(await readdir(work)).toEqual([]);
    expect([...seen].every((n) => n.startsWith(`memgen-training-p${process.pid}-`))).toBe(true);
    expect(seen.size).toBe(1);

    const bad = makeJob({ stage: 'training', runId: 'bad', spec: { train: { seed: -1 } } });
    await expect(executeJob(bad, store, { workRoot: work, log: () => {} })).rejects.toThrow();
    const stop = new AbortController();
    const stopped = executeJob(train, new FileArtefactStore(join(root, 'other')), {
      workRoot: work,
      log: () => {},
      signal: stop.signal,
      progress: (p) => {
        if (p.stage === 'train' && p.done >= 10) stop.abort(new Error('stopped for the test'));
      },
    });
    await expect(stopped).rejects.toThrow(/training stopped at step/);
    expect(await readdir(work)).toEqual([]);
  }, 120_000);
});
