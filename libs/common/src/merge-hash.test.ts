import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalJson, configHash, sha256 } from './hash.js';
import { deepMerge } from './merge.js';
import { describeZodError, parseWith } from './zod-errors.js';

describe('deepMerge', () => {
  it('merges nested objects, replaces arrays and scalars, and leaves its inputs alone', () => {
    const base = { a: 1, nested: { x: 1, y: { deep: true, keep: 'k' } }, list: [1, 2, 3] };
    const over = { a: 2, nested: { y: { deep: false } }, list: [9], extra: null };
    const merged = deepMerge(base, over);
    expect(merged).toEqual({ a: 2, nested: { x: 1, y: { deep: false, keep: 'k' } }, list: [9], extra: null });
    expect(base).toEqual({ a: 1, nested: { x: 1, y: { deep: true, keep: 'k' } }, list: [1, 2, 3] });
    expect(deepMerge({ o: { p: 1 } }, { o: [1] })).toEqual({ o: [1] });
    expect(deepMerge({ o: [1] }, { o: { p: 1 } })).toEqual({ o: { p: 1 } });
  });
});

describe('hashes', () => {
  it('canonical JSON sorts keys at every depth, so key order does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(configHash({ b: 1, a: 2 })).toBe(configHash({ a: 2, b: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
    expect(configHash({})).toBe(sha256(new TextEncoder().encode('{}')));
    expect(sha256(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

describe('parseWith', () => {
  const schema = z.object({ train: z.object({ steps: z.number().int().positive() }) });

  it('returns the parsed value', () => {
    expect(parseWith(schema, { train: { steps: 3 } }, 'spec')).toEqual({ train: { steps: 3 } });
  });

  it('names where and the first wrong field', () => {
    expect(() => parseWith(schema, { train: { steps: -1 } }, 'run.json')).toThrow(
      /^run\.json: field "train\.steps": /,
    );
    expect(() => parseWith(z.number(), 'x', 'count')).toThrow(/^count: field "\(root\)": /);
  });

  it('builds the error with makeError, handing it the field', () => {
    class SpecError extends Error {
      constructor(
        message: string,
        readonly field: string,
      ) {
        super(message);
      }
    }
    let caught: unknown;
    try {
      parseWith(schema, { train: {} }, 'spec', (m, f) => new SpecError(m, f));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as SpecError).field).toBe('train.steps');
    const result = schema.safeParse({});
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodError(result.error).field).toBe('train');
  });
});
