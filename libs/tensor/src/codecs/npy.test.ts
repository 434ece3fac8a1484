import { describe, expect, it } from 'vitest';
import { CodecError } from './errors.js';
import { HostTensor } from './host-tensor.js';
import { decodeNpy, encodeNpy } from './npy.js';
import { formatNpyHeaderDict, parsePyLiteral } from './npy-header.js';

/** A v1.0 file with this header dict and data, padded the way numpy pads it. */
function npyFile(dict: string, data: number[] = [], version: [number, number] = [1, 0]): Uint8Array {
  const lengthBytes = version[0] === 1 ? 2 : 4;
  const preamble = Math.ceil((8 + lengthBytes + dict.length + 1) / 64) * 64;
  const headerLength = preamble - 8 - lengthBytes;
  const out = new Uint8Array(preamble + data.length);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), ...version], 0);
  const view = new DataView(out.buffer);
  if (lengthBytes === 2) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  out.set(Buffer.from(dict.padEnd(headerLength - 1, ' ') + '\n', 'latin1'), 8 + lengthBytes);
  out.set(data, preamble);
  return out;
}

describe('encodeNpy', () => {
  it('writes the hand-computed bytes for a float32 vector', () => {
    const bytes = encodeNpy(new HostTensor('float32', [2], new Float32Array([1, -2])));
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    // 10-byte prefix + 57-byte dict + '\n' = 68, padded to 128: header length 118 = 0x76, 60 spaces.
    expect(dict.length).toBe(57);
    const expected = [
      ...[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00],
      ...Buffer.from(dict + ' '.repeat(60) + '\n', 'latin1'),
      ...[0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0],
    ];
    expect([...bytes]).toEqual(expected);
  });

  it('formats shapes as Python tuples', () => {
    expect(formatNpyHeaderDict('<i4', [])).toContain("'shape': ()");
    expect(formatNpyHeaderDict('<i4', [5])).toContain("'shape': (5,)");
    expect(formatNpyHeaderDict('<i4', [2, 0, 3])).toContain("'shape': (2, 0, 3)");
  });
});

describe('decodeNpy', () => {
  it('round-trips every dtype, scalars and empty arrays, with data aligned to 64 bytes', () => {
    const cases = [
      new HostTensor('float32', [2, 3], new Float32Array([0, 1.5, -2, 3.25, 1e-30, Number.NaN])),
      new HostTensor('int32', [3], new Int32Array([-2147483648, 0, 2147483647])),
      new HostTensor('float64', [], new Float64Array([Math.E])),
      new HostTensor('int64', [1, 2], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])),
      new HostTensor('uint8', [2, 2], new Uint8Array([0, 1, 128, 255])),
      new HostTensor('float32', [0], new Float32Array(0)),
    ];
    for (const t of cases) {
      const bytes = encodeNpy(t);
      const back = decodeNpy(bytes);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(back.data).toEqual(t.data);
      expect((bytes.length - t.data.byteLength) % 64).toBe(0);
      expect(back.data.buffer).toBe(bytes.buffer); // aligned preamble → zero-copy
    }
  });

  it('copies the data when the file bytes start at an odd offset', () => {
    const bytes = encodeNpy(new HostTensor('float64', [2], new Float64Array([0.1, 0.2])));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const back = decodeNpy(shifted.subarray(3));
    expect([...back.data]).toEqual([0.1, 0.2]);
    expect(back.data.buffer).not.toBe(shifted.buffer);
  });

  it('reads headers in any key order, with spaces, lists and version 2.0/3.0 preambles', () => {
    const dict = "{ 'shape' : [2] , 'fortran_order':False,'descr':'<i4' }";
    for (const version of [
      [1, 0],
      [2, 0],
      [3, 0],
    ] as [number, number][]) {
      const back = decodeNpy(npyFile(dict, [5, 0, 0, 0, 6, 0, 0, 0], version));
      expect([...back.data]).toEqual([5, 6]);
    }
  });

  it("accepts fortran_order for one dimension, where it is the same layout, and '<u1' for bytes", () => {
    const back = decodeNpy(npyFile("{'descr': '<u1', 'fortran_order': True, 'shape': (3,), }", [1, 2, 3]));
    expect(back.dtype).toBe('uint8');
    expect([...back.data]).toEqual([1, 2, 3]);
  });

  it.each([
    ['a short file', new Uint8Array(4), /truncated: 4 bytes, shorter than the preamble/],
    ['bad magic', Buffer.from('PK\x03\x04 this is a zip file'), /bad magic: not a .npy file/],
    [
      'an unknown version',
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", [0, 0, 0, 0], [4, 0]),
      /unsupported format version 4.0/,
    ],
    [
      'a header longer than the file',
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }").subarray(0, 40),
      /header of 118 bytes runs past the end/,
    ],
    [
      'big-endian data',
      npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]),
      /big-endian dtype '>f4' is not supported/,
    ],
    [
      'an unsupported dtype',
      npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", [0, 0]),
      /unsupported dtype '<f2' \(supported: '<f4', '<i4', '<f8', '<i8', '\|u1'\)/,
    ],
    [
      'a structured dtype',
      npyFile("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]),
      /structured dtypes/,
    ],
    [
      'fortran order in two dimensions',
      npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Array(16).fill(0)),
      /fortran_order arrays are not supported \(shape \[2, 2\]\)/,
    ],
    [
      'truncated data',
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", new Array(12).fill(0)),
      /truncated data: shape \[2, 2\] of '<f4' needs 16 bytes, file has 12/,
    ],
    [
      'trailing bytes',
      npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", [1, 2, 3]),
      /1 trailing bytes after the array data/,
    ],
    [
      'a missing key',
      npyFile("{'descr': '<f4', 'shape': (1,), }", [0, 0, 0, 0]),
      /header keys must be descr, fortran_order, shape; got descr, shape/,
    ],
    [
      'a malformed dict',
      npyFile("{'descr': '<f4' 'shape': (1,)}", [0, 0, 0, 0]),
      /header: expected "," or "}" at character 16/,
    ],
    [
      'a negative dimension',
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
      /header shape \[-1\] has an invalid dimension/,
    ],
    [
      'a non-boolean fortran_order',
      npyFile("{'descr': '<f4', 'fortran_order': 0, 'shape': (), }", [0, 0, 0, 0]),
      /fortran_order must be True or False/,
    ],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => decodeNpy(bytes)).toThrow(CodecError);
    expect(() => decodeNpy(bytes)).toThrow(message);
  });
});

describe('parsePyLiteral', () => {
  it('reads the literals numpy writes', () => {
    expect(parsePyLiteral("{'a': (1, 2,), 'b': [], 'c': True, 'd': \"s\", 'e': 3L}")).toEqual({
      a: [1, 2],
      b: [],
      c: true,
      d: 's',
      e: 3,
    });
  });

  it('names what it could not read', () => {
    expect(() => parsePyLiteral("{'a': None}")).toThrow(/unexpected token at character 6/);
    expect(() => parsePyLiteral("{'a': 1} x")).toThrow(/unexpected text after the literal/);
    expect(() => parsePyLiteral("{'a: 1}")).toThrow(/unterminated string/);
    expect(() => parsePyLiteral('{1: 2}')).toThrow(/dict keys must be strings/);
  });
});
