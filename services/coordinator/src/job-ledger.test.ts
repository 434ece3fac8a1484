import { makeJob } from '@memgen/bus';
import { describe, expect, it } from 'vitest';
import { ledgerEntry, ledgerVerdict, type RecordRead } from './job-ledger.js';
import { type JobState, jobStateBase } from './job-state.js';

const job = makeJob({ stage: 'training', runId: 'color-smoke-s2', spec: { train: { seed: 2 } } });
const other = makeJob({ stage: 'training', runId: 'color-smoke-s0', spec: { train: { seed: 0 } } });
const ref = (digit: string, path = 'checkpoint/model.safetensors') => ({
  name: `jobs/${job.id}/${path}`,
  digest: digit.repeat(64),
  size: 10,
});
const record = (outputs = [ref('a')], revision = 7): RecordRead => ({
  revision,
  value: { ...jobStateBase(job), state: 'done', attempts: 1, outputs } satisfies JobState,
});
const held = async () => true;

describe('ledgerVerdict', () => {
  it('reuses a record whose outputs are exactly those the coordinator accepted', async () => {
    const entry = ledgerEntry(job, 3, [ref('a')]);
    expect(await ledgerVerdict(job, record(), entry, held)).toEqual({ reuse: true, accept: false });
  });

  it('accepts a record written after the submission the coordinator has not seen finish', async () => {
    expect(await ledgerVerdict(job, record([ref('a')], 9), ledgerEntry(job, 8), held)).toEqual({
      reuse: true,
      accept: true,
    });
  });

  it.each([
    [
      "another seed's bytes copied under this job's prefix",
      record([ref('b')]),
      ledgerEntry(job, 3, [ref('a')]),
      /output jobs\/[0-9a-f]{64}\/checkpoint\/model\.safetensors has digest bbbbbbbbbbbb, the coordinator accepted aaaaaaaaaaaa/,
    ],
    [
      'an output the coordinator never accepted',
      record([ref('a'), ref('a', 'extra.bin')]),
      ledgerEntry(job, 3, [ref('a')]),
      /output \S+extra\.bin is not among the outputs the coordinator accepted/,
    ],
    [
      'fewer outputs than accepted',
      record([ref('a')]),
      ledgerEntry(job, 3, [ref('a'), ref('a', 'extra.bin')]),
      /the record lists 1 outputs, the coordinator accepted 2/,
    ],
    [
      'a job the coordinator never submitted',
      record(),
      null,
      /the coordinator never submitted or accepted this job/,
    ],
    [
      'a record from before the submission still running',
      record([ref('a')], 5),
      ledgerEntry(job, 5),
      /older than the coordinator's submission/,
    ],
    [
      "a ledger entry of another job's spec",
      record(),
      { ...ledgerEntry(other, 3, [ref('a')]), jobId: job.id },
      /ledger entry is of another job or spec/,
    ],
  ])('refuses %s, saying why', async (_what, read, entry, reason) => {
    const verdict = await ledgerVerdict(job, read, entry, held);
    expect(verdict.reuse).toBe(false);
    expect(verdict.reuse ? '' : verdict.reason).toMatch(reason);
  });

  it('refuses when the stored bytes are not those recorded, even with the ledger agreeing', async () => {
    const verdict = await ledgerVerdict(job, record(), ledgerEntry(job, 3, [ref('a')]), async () => false);
    expect(verdict).toEqual({
      reuse: false,
      reason: expect.stringMatching(/no longer in the artefact store as recorded/),
    });
  });
});
