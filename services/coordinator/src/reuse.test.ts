import { makeJob } from '@memgen/bus';
import { configHash } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { type JobState, jobStateBase } from './job-state.js';
import { reuseVerdict } from './reuse.js';

const job = makeJob({ stage: 'training', runId: 'color-smoke-s1', spec: { train: { seed: 1 } } });
const other = makeJob({ stage: 'training', runId: 'color-smoke-s0', spec: { train: { seed: 0 } } });
const ref = (owner: string, path = 'checkpoint/model.safetensors') => ({
  name: `jobs/${owner}/${path}`,
  digest: 'a'.repeat(64),
  size: 10,
});
const done = (over: Partial<JobState> = {}): JobState => ({
  ...jobStateBase(job),
  state: 'done',
  attempts: 1,
  outputs: [ref(job.id)],
  ...over,
});
const held = async () => true;

describe('reuseVerdict', () => {
  it('reuses a record of this job, its spec and its own outputs, all still stored', async () => {
    expect(await reuseVerdict(job, done(), held)).toEqual({ reuse: true });
    expect(done().specHash).toBe(configHash(job.spec));
  });

  it.each([
    ['dead', done({ state: 'dead', outputs: [] }), /recorded dead/],
    ['of another job', done({ jobId: other.id }), /record is of job [0-9a-f]{12} \(training\), not this one/],
    [
      'of another spec',
      done({ specHash: configHash({ train: { seed: 0 } }) }),
      /spec hash [0-9a-f]{12} is not the job's/,
    ],
    ['without a spec hash', done({ specHash: undefined }), /spec hash \(none\)/],
    [
      "pointing at another job's outputs",
      done({ outputs: [ref(job.id, 'a'), ref(other.id)] }),
      /output jobs\/[0-9a-f]{64}\/checkpoint\/model\.safetensors was produced by another job/,
    ],
  ])('refuses a record %s, saying why', async (_what, recorded, reason) => {
    const verdict = await reuseVerdict(job, recorded, held);
    expect(verdict.reuse).toBe(false);
    expect(verdict.reuse ? '' : verdict.reason).toMatch(reason);
  });

  it('refuses when an output is gone from the store', async () => {
    const verdict = await reuseVerdict(job, done(), async () => false);
    expect(verdict).toEqual({
      reuse: false,
      reason: expect.stringMatching(/no longer in the artefact store/),
    });
  });

  it('accepts an unhashed record only when told to (a local sweep directory from before hashes)', async () => {
    const legacy = done({ specHash: undefined });
    expect(await reuseVerdict(job, legacy, held, { unhashed: 'accept' })).toEqual({ reuse: true });
    const wrong = done({ specHash: configHash({}) });
    expect((await reuseVerdict(job, wrong, held, { unhashed: 'accept' })).reuse).toBe(false);
  });
});
