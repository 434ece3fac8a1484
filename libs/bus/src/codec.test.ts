import { HostTensor } from '@memgen/tensor';
import { describe, expect, it } from 'vitest';
import { createBusCodec, DEFAULT_MAX_MESSAGE_BYTES } from './codec.js';
import { BusMessageError } from './errors.js';

/** Runs fn and returns the BusMessageError it throws (fails the test when it throws anything else). */
function busError(fn: () => unknown): BusMessageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BusMessageError);
    return error as BusMessageError;
  }
  throw new Error('expected a BusMessageError, nothing was thrown');
}

describe('bus codec', () => {
  const codec = createBusCodec();

  it('defaults to a 1 MiB limit', () => {
    expect(codec.maxBytes).toBe(1024 * 1024);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(1048576);
  });

  it('round-trips plain values and tensors of every common dtype, bit for bit', () => {
    const weights = new Float32Array([0.1, -2.5, Number.NaN, Number.NEGATIVE_INFINITY, 3e-40, 7]);
    const message = {
      v: 1,
      name: 'layer.3',
      nested: { ids: [1, 2, 3], flag: true, none: null },
      w: new HostTensor('float32', [2, 3], weights),
      labels: new HostTensor('int32', [3], new Int32Array([-1, 0, 2147483647])),
      big: new HostTensor('int64', [1], new BigInt64Array([-(2n ** 63n)])),
    };
    const back = codec.decode(codec.encode(message)) as typeof message;
    expect(back.v).toBe(1);
    expect(back.name).toBe('layer.3');
    expect(back.nested).toEqual({ ids: [1, 2, 3], flag: true, none: null });
    expect(back.w).toBeInstanceOf(HostTensor);
    expect(back.w.shape).toEqual([2, 3]);
    expect(Buffer.from(back.w.bytes())).toEqual(Buffer.from(weights.buffer));
    expect([...back.labels.data]).toEqual([-1, 0, 2147483647]);
    expect(back.big.data[0]).toBe(-(2n ** 63n));
  });

  it('decodes into memory the caller does not share: mutating the input afterwards changes nothing', () => {
    const bytes = codec.encode({ t: new HostTensor('float32', [4], new Float32Array([1, 2, 3, 4])) });
    // Shift to an odd offset like a NATS payload view, then scribble over it after decoding.
    const backing = new Uint8Array(bytes.length + 1);
    backing.set(bytes, 1);
    const view = backing.subarray(1);
    const back = codec.decode(view) as { t: HostTensor<'float32'> };
    backing.fill(0xff);
    expect([...back.t.data]).toEqual([1, 2, 3, 4]);
  });

  it('refuses to encode a message above the limit and says how big it was', () => {
    const small = createBusCodec({ maxBytes: 1000 });
    const error = busError(() => small.encode({ t: new HostTensor('uint8', [2000], new Uint8Array(2000)) }));
    expect(error.problem).toBe('oversize');
    expect(error.message).toMatch(/encoded message of \d{4} bytes exceeds the 1000-byte limit/);
    // Just under the limit passes.
    expect(small.encode({ t: new HostTensor('uint8', [900], new Uint8Array(900)) }).byteLength).toBeLessThan(
      1000,
    );
  });

  it('refuses to decode an oversize payload before parsing it', () => {
    const small = createBusCodec({ maxBytes: 16 });
    const error = busError(() => small.decode(new Uint8Array(17)));
    expect(error.problem).toBe('oversize');
    expect(error.message).toContain('17 bytes exceeds the 16-byte limit');
  });

  it('turns garbage into a malformed BusMessageError, never another exception', () => {
    const garbage = [
      new Uint8Array([]),
      new Uint8Array([0x92, 0x01]), // array of 2 with one element
      new Uint8Array([0x01, 0x02]), // trailing bytes
      new Uint8Array([0xd9, 0x10, 0x41]), // truncated string
      new Uint8Array([0xc7, 0x03, 0x54, 0x3c, 0x66, 0x34]), // tensor extension without ndim
      new Uint8Array([0xc7, 0x05, 0x54, 0x3c, 0x7a, 0x39, 0x00]), // tensor with unknown dtype '<z9'
      Buffer.from('{"json": "is not msgpack"}'),
    ];
    for (const bytes of garbage) {
      const error = busError(() => codec.decode(bytes));
      expect(error.problem).toBe('malformed');
    }
  });

  it('rejects a non-positive limit', () => {
    expect(() => createBusCodec({ maxBytes: 0 })).toThrow(/maxBytes must be a positive integer/);
  });
});
