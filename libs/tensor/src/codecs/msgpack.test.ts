import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { CodecError } from './errors.js';
import { HostTensor } from './host-tensor.js';
import { createPackr, TENSOR_EXTENSION_TYPE, unpackTensorPayload } from './msgpack.js';

const packr = createPackr();

/** Shifts a message so it starts at `offset` bytes into a fresh buffer, like a NATS payload. */
function atOffset(message: Uint8Array, offset: number): Buffer {
  const backing = Buffer.alloc(message.length + offset);
  backing.set(message, offset);
  return backing.subarray(offset);
}

/** An ext 8 message (0xc7, length, type) around `payload`. */
function ext8(payload: number[]): Uint8Array {
  return new Uint8Array([0xc7, payload.length, TENSOR_EXTENSION_TYPE, ...payload]);
}

const descr = (s: string) => [...Buffer.from(s, 'latin1')];

describe('msgpack tensor extension', () => {
  it('encodes the hand-computed bytes for a small int32 matrix', () => {
    const t = new HostTensor('int32', [1, 2], new Int32Array([1, -1]));
    expect([...packr.pack(t)]).toEqual([
      ...[0xc7, 20, 0x54], // ext 8, payload length 3 + 1 + 2*4 + 8 = 20, type 'T'
      ...descr('<i4'),
      2, // ndim
      ...[1, 0, 0, 0, 2, 0, 0, 0], // dims, u32 LE
      ...[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
    ]);
  });

  it('round-trips tensors nested in objects and arrays, with every dtype, scalars and empty tensors', () => {
    const message = {
      step: 3,
      params: {
        w: new HostTensor('float32', [2, 2], new Float32Array([0.5, -1, 2, Number.POSITIVE_INFINITY])),
        ids: new HostTensor('int32', [3], new Int32Array([7, 8, 9])),
      },
      list: [
        new HostTensor('float64', [], new Float64Array([Math.PI])),
        new HostTensor('int64', [1], new BigInt64Array([-(2n ** 62n)])),
        new HostTensor('uint8', [0, 3], new Uint8Array(0)),
        'tail',
      ],
    };
    const back = packr.unpack(packr.pack(message));
    expect(back.step).toBe(3);
    expect(back.list[3]).toBe('tail');
    const pairs: [HostTensor, HostTensor][] = [
      [message.params.w, back.params.w],
      [message.params.ids, back.params.ids],
      ...message.list
        .slice(0, 3)
        .map((t, i) => [t as HostTensor, back.list[i] as HostTensor] as [HostTensor, HostTensor]),
    ];
    for (const [sent, received] of pairs) {
      expect(received).toBeInstanceOf(HostTensor);
      expect(received.dtype).toBe(sent.dtype);
      expect(received.shape).toEqual(sent.shape);
      expect(received.data).toEqual(sent.data);
    }
  });

  it('uses ext 16 and ext 32 for larger tensors', () => {
    for (const [n, marker] of [
      [1000, 0xc8],
      [20000, 0xc9],
    ] as const) {
      const data = Float32Array.from({ length: n }, (_, i) => i * 0.25);
      const bytes = packr.pack(new HostTensor('float32', [n], data));
      expect(bytes[0]).toBe(marker);
      expect(packr.unpack(bytes).data).toEqual(data);
    }
  });

  it('decodes correctly at every byte offset: a view when aligned, a copy otherwise', () => {
    const t = new HostTensor('float64', [3], new Float64Array([1.25, -2.5, 1e300]));
    const bytes = packr.pack(t);
    // Data start after ext 8 header (3 bytes) + descr (3) + ndim (1) + one dim (4) = 11 bytes.
    const views: number[] = [];
    for (let offset = 0; offset < 8; offset++) {
      const shifted = atOffset(bytes, offset);
      const back = packr.unpack(shifted) as HostTensor;
      expect([...back.data]).toEqual([1.25, -2.5, 1e300]);
      if (back.data.buffer === shifted.buffer) views.push(offset);
    }
    expect(views).toEqual([5]); // (5 + 11) % 8 === 0
  });

  it('is decoded by a plain Unpackr once registered (the registry is process-wide)', () => {
    const bytes = packr.pack({ t: new HostTensor('uint8', [2], new Uint8Array([4, 5])) });
    expect([...new Unpackr({ useRecords: false }).unpack(bytes).t.data]).toEqual([4, 5]);
  });

  it.each([
    [
      'a payload shorter than its header',
      [0x3c, 0x66],
      /payload of 2 bytes is shorter than its 4-byte header/,
    ],
    ['an unknown dtype', [...descr('<f2'), 1, 1, 0, 0, 0, 0, 0], /unknown dtype "<f2"/],
    [
      'dimensions cut short',
      [...descr('<f4'), 2, 1, 0, 0, 0],
      /payload of 8 bytes is too short for 2 dimensions/,
    ],
    [
      'too few data bytes for the shape',
      [...descr('<f4'), 1, 2, 0, 0, 0, 0, 0, 0, 0],
      /wrong length for shape \[2\] of float32: needs 8 data bytes, payload has 4/,
    ],
    [
      'too many data bytes for the shape',
      [...descr('<i4'), 0, 1, 0, 0, 0, 9],
      /wrong length for shape \[\] of int32: needs 4 data bytes, payload has 5/,
    ],
  ])('rejects %s', (_, payload, message) => {
    expect(() => unpackTensorPayload(new Uint8Array(payload))).toThrow(CodecError);
    expect(() => packr.unpack(ext8(payload))).toThrow(message);
  });

  it('lets options override the defaults', () => {
    const withRecords = createPackr({ useRecords: true });
    const value = { a: 1, t: new HostTensor('int32', [1], new Int32Array([2])) };
    expect(withRecords.unpack(withRecords.pack(value)).t.data[0]).toBe(2);
  });
});
