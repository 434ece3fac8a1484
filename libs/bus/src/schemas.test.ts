import { configHash } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { createBusCodec } from './codec.js';
import { BusMessageError } from './errors.js';
import { computeJobId, makeJob, parseEvent, parseJob, parseMessage } from './schemas.js';
import { consumerName, eventSubject, jobSubject, stageOfSubject } from './subjects.js';

const digestA = 'a'.repeat(64);
const digestB = 'b'.repeat(64);

function invalid(value: unknown): BusMessageError {
  try {
    parseMessage(value);
  } catch (error) {
    expect(error).toBeInstanceOf(BusMessageError);
    expect((error as BusMessageError).problem).toBe('invalid');
    return error as BusMessageError;
  }
  throw new Error('expected parseMessage to reject the value');
}

describe('job ids', () => {
  it('is the config hash of stage, spec and the inputs sorted by name (run id and attempt excluded)', () => {
    const inputs = [
      { name: 'runs/r1/b.bin', digest: digestB, size: 3 },
      { name: 'runs/r1/a.bin', digest: digestA, size: 9 },
    ];
    const id = computeJobId('fit', { lr: 0.1 }, inputs);
    expect(id).toBe(
      configHash({
        stage: 'fit',
        spec: { lr: 0.1 },
        inputs: [
          { name: 'runs/r1/a.bin', digest: digestA },
          { name: 'runs/r1/b.bin', digest: digestB },
        ],
      }),
    );
    expect(computeJobId('fit', { lr: 0.1 }, [...inputs].reverse())).toBe(id);
    expect(computeJobId('fit', { lr: 0.2 }, inputs)).not.toBe(id);
    expect(computeJobId('steer', { lr: 0.1 }, inputs)).not.toBe(id);
    const one = makeJob({ stage: 'fit', runId: 'r1', spec: { lr: 0.1 }, inputs, attempt: 1 });
    const two = makeJob({ stage: 'fit', runId: 'r2', spec: { lr: 0.1 }, inputs, attempt: 3 });
    expect(one.id).toBe(id);
    expect(two.id).toBe(id);
  });

  it('does not depend on key order in the spec', () => {
    expect(computeJobId('train', { a: 1, b: { c: 2, d: 3 } }, [])).toBe(
      computeJobId('train', { b: { d: 3, c: 2 }, a: 1 }, []),
    );
  });
});

describe('parseMessage', () => {
  const job = makeJob({
    stage: 'train',
    runId: 'color-smoke-s0',
    spec: { preset: 'smoke', seed: 0 },
    inputs: [{ name: 'runs/color/data.jsonl', digest: digestA, size: 120 }],
  });

  it('accepts a job and an event, also after a msgpack round trip', () => {
    const codec = createBusCodec();
    expect(parseJob(codec.decode(codec.encode(job)))).toEqual(job);
    const event = {
      v: 1,
      kind: 'event',
      stage: 'train',
      outcome: 'done',
      jobId: job.id,
      runId: job.runId,
      outputs: [{ name: 'runs/x/ckpt.safetensors', digest: digestB, size: 4096 }],
    };
    expect(parseEvent(codec.decode(codec.encode(event)))).toEqual(event);
    expect(() => parseEvent(job)).toThrow(/field "kind": expected "event"/);
  });

  it('names the offending field', () => {
    expect(invalid({ ...job, inputs: [{ name: 'a.bin', digest: 'xyz', size: 1 }] }).field).toBe(
      'inputs.0.digest',
    );
    expect(invalid({ ...job, inputs: [{ name: 'a.bin', digest: digestA, size: -1 }] }).field).toBe(
      'inputs.0.size',
    );
    expect(invalid({ ...job, attempt: 0 }).field).toBe('attempt');
    expect(invalid({ ...job, stage: 'Train!' }).field).toBe('stage');
    const { spec: _spec, ...withoutSpec } = job;
    expect(invalid(withoutSpec).field).toBe('spec');
    expect(invalid({ ...job, kind: 'gossip' }).field).toBe('kind');
    const error = invalid({ ...job, runId: '' });
    expect(error.field).toBe('runId');
    expect(error.message).toMatch(/^invalid message: field "runId": /);
  });

  it('refuses artefact names that could escape a run directory', () => {
    for (const name of ['../etc/passwd', '/abs/path', 'a/../b', 'a//b', './a', 'a/.', '']) {
      const error = invalid({ ...job, inputs: [{ name, digest: digestA, size: 1 }] });
      expect(error.field).toBe('inputs.0.name');
    }
  });

  it('refuses another schema version, and non-maps, with a clear reason', () => {
    const error = invalid({ ...job, v: 2 });
    expect(error.field).toBe('v');
    expect(error.message).toContain('unsupported schema version number 2 (this code reads v1)');
    expect(invalid([1, 2]).message).toContain('expected a map, got an array');
    expect(invalid(42).message).toContain('expected a map, got number 42');
  });

  it('refuses a job whose id does not match its content', () => {
    const error = invalid({ ...job, spec: { preset: 'smoke', seed: 1 } });
    expect(error.field).toBe('id');
    expect(error.message).toContain('is not the hash of the job');
  });
});

describe('subjects', () => {
  it('builds the documented names and refuses unsafe tokens', () => {
    expect(jobSubject('train')).toBe('memgen.jobs.train');
    expect(eventSubject('fit', 'dead')).toBe('memgen.events.fit.dead');
    expect(consumerName('record')).toBe('memgen-record');
    expect(stageOfSubject('memgen.jobs.steer')).toBe('steer');
    expect(stageOfSubject('memgen.jobs.a.b')).toBeUndefined();
    expect(() => jobSubject('a.b')).toThrow(/stage "a.b" must match/);
    expect(() => jobSubject('>')).toThrow(/must match/);
  });
});
