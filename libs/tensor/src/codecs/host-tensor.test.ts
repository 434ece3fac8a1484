import { describe, expect, it } from 'vitest';
import { CodecError } from './errors.js';
import { HostTensor, shapeSize, typedArrayFromBytes } from './host-tensor.js';

describe('HostTensor', () => {
  it('keeps dtype, a frozen copy of the shape, and the data it was given', () => {
    const shape = [2, 3];
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = new HostTensor('float32', shape, data);
    shape[0] = 99;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(t.data).toBe(data);
    expect(t.size).toBe(6);
  });

  it('accepts scalars and empty tensors', () => {
    expect(new HostTensor('int32', [], new Int32Array([7])).size).toBe(1);
    expect(new HostTensor('float32', [3, 0], new Float32Array(0)).size).toBe(0);
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([4, 0, 2])).toBe(0);
  });

  it('rejects an unknown dtype, the wrong typed array, a wrong length and bad dimensions', () => {
    expect(() => new HostTensor('float16' as 'float32', [1], new Float32Array(1))).toThrow(
      /unknown dtype "float16"/,
    );
    expect(() => new HostTensor('float32', [2], new Float64Array(2) as unknown as Float32Array)).toThrow(
      /dtype float32 needs its own typed array, got a Float64Array/,
    );
    expect(() => new HostTensor('int32', [2, 2], new Int32Array(3))).toThrow(
      /shape \[2, 2\] needs 4 elements, data has 3/,
    );
    expect(() => new HostTensor('int32', [-1], new Int32Array(0))).toThrow(/invalid dimension number -1/);
    expect(() => new HostTensor('int32', [1.5], new Int32Array(1))).toThrow(/invalid dimension number 1.5/);
    expect(() => new HostTensor('int32', [2], new Int32Array(3))).toThrow(CodecError);
  });

  it('zeros() allocates each dtype, clone() owns its memory, as() narrows or names the mismatch', () => {
    const z = HostTensor.zeros('int64', [2]);
    expect(z.data).toEqual(new BigInt64Array([0n, 0n]));
    const a = new HostTensor('float32', [2], new Float32Array([1, 2]));
    const b = a.clone();
    b.data[0] = 5;
    expect(a.data[0]).toBe(1);
    expect(a.as('float32').data[1]).toBe(2);
    expect(() => a.as('int32')).toThrow(/expected a int32 tensor, got float32/);
  });

  it('bytes() is a little-endian view of the data', () => {
    const t = new HostTensor('int32', [2], new Int32Array([1, -1]));
    expect([...t.bytes()]).toEqual([1, 0, 0, 0, 255, 255, 255, 255]);
    t.data[0] = 2;
    expect(t.bytes()[0]).toBe(2);
  });
});

describe('typedArrayFromBytes', () => {
  const floats = new Float32Array([1.5, -2.25, 3]);
  const raw = new Uint8Array(floats.buffer);

  it('returns a view when the absolute offset is aligned', () => {
    const bytes = new Uint8Array(16);
    bytes.set(raw, 4);
    const out = typedArrayFromBytes('float32', bytes, 4, 12);
    expect([...out]).toEqual([1.5, -2.25, 3]);
    expect(out.buffer).toBe(bytes.buffer);
  });

  it('copies when a Node Buffer starts at an odd offset (Buffer.slice would alias)', () => {
    const backing = Buffer.alloc(20);
    backing.set(raw, 3);
    const odd = backing.subarray(1); // data now at relative offset 2, absolute offset 3
    const out = typedArrayFromBytes('float32', odd, 2, 12);
    expect([...out]).toEqual([1.5, -2.25, 3]);
    expect(out.buffer).not.toBe(backing.buffer);
    backing.fill(0);
    expect([...out]).toEqual([1.5, -2.25, 3]);
  });
});
