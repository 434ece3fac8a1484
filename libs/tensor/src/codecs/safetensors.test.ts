import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecError } from './errors.js';
import { readSafetensors, writeSafetensors } from './files.js';
import { HostTensor } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** Assembles a file from a header (object or raw text) and a buffer, without any validation. */
function build(
  header: object | string | Uint8Array,
  buffer: number[] = [],
  declaredLength?: bigint,
): Uint8Array {
  const json =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const entry = (dtype: string, shape: number[], begin: number, end: number) => ({
  dtype,
  shape,
  data_offsets: [begin, end],
});

describe('encodeSafetensors', () => {
  it('writes the hand-computed bytes for one float32 vector', () => {
    const bytes = encodeSafetensors({ x: new HostTensor('float32', [2], new Float32Array([1, -2])) });
    // JSON is 54 bytes; 8 + 54 = 62 is padded with 2 spaces to 64, so N = 56 = 0x38.
    const json = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expect(json.length).toBe(54);
    const expected = [
      ...[0x38, 0, 0, 0, 0, 0, 0, 0],
      ...Buffer.from(`${json}  `, 'latin1'),
      ...[0x00, 0x00, 0x80, 0x3f], // 1.0f
      ...[0x00, 0x00, 0x00, 0xc0], // -2.0f
    ];
    expect([...bytes]).toEqual(expected);
  });

  it('is deterministic: sorted keys, metadata first, larger elements laid out first', () => {
    const u8 = new HostTensor('uint8', [3], new Uint8Array([1, 2, 3]));
    const f32 = new HostTensor('float32', [1], new Float32Array([0.5]));
    const a = encodeSafetensors({ b: u8, a: f32 }, { z: '1', y: '2' });
    const b = encodeSafetensors({ a: f32, b: u8 }, { z: '1', y: '2' });
    expect(a).toEqual(b);
    const headerLength = Number(new DataView(a.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const text = new TextDecoder().decode(a.subarray(8, 8 + headerLength));
    expect(text.trimEnd()).toBe(
      '{"__metadata__":{"z":"1","y":"2"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
        '"b":{"dtype":"U8","shape":[3],"data_offsets":[4,7]}}',
    );
  });

  it('refuses the reserved name and values that are not HostTensors', () => {
    const t = new HostTensor('int32', [], new Int32Array([1]));
    expect(() => encodeSafetensors({ __metadata__: t })).toThrow(/"__metadata__" is reserved/);
    expect(() => encodeSafetensors({ w: new Float32Array(2) as unknown as HostTensor })).toThrow(
      /tensor "w" is a Float32Array, not a HostTensor/,
    );
    expect(() => encodeSafetensors({ w: t }, { k: 3 as unknown as string })).toThrow(
      /metadata "k" must be a string/,
    );
  });
});

describe('decodeSafetensors', () => {
  it('round-trips every dtype, scalars, empty tensors and metadata', () => {
    const tensors = {
      f32: new HostTensor('float32', [2, 3], new Float32Array([0, 1.5, -2, 3.25, 1e-30, -0])),
      i32: new HostTensor('int32', [3], new Int32Array([-2147483648, 0, 2147483647])),
      f64: new HostTensor('float64', [], new Float64Array([Math.PI])),
      i64: new HostTensor('int64', [2], new BigInt64Array([-(2n ** 63n), 2n ** 62n + 1n])),
      u8: new HostTensor('uint8', [5], new Uint8Array([0, 1, 127, 128, 255])),
      empty: new HostTensor('float32', [0, 4], new Float32Array(0)),
    };
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors, { step: '12' }));
    expect(metadata).toEqual({ step: '12' });
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name]!.dtype).toBe(t.dtype);
      expect(back[name]!.shape).toEqual(t.shape);
      expect(back[name]!.data).toEqual(t.data);
    }
    expect(Object.is(back.f32!.data[5], -0)).toBe(true);
  });

  it('views the input when aligned and copies when the input starts at an odd offset', () => {
    const bytes = encodeSafetensors({
      w: new HostTensor('float32', [3], new Float32Array([1, 2, 3])),
      b: new HostTensor('uint8', [1], new Uint8Array([9])),
    });
    const aligned = decodeSafetensors(bytes).tensors.w!;
    expect(aligned.data.buffer).toBe(bytes.buffer);

    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const odd = decodeSafetensors(shifted.subarray(1)).tensors.w!;
    expect(odd.data.buffer).not.toBe(shifted.buffer);
    expect([...odd.data]).toEqual([1, 2, 3]);
  });

  it('accepts files from other writers: unpadded header, any key order, tensors in any buffer order', () => {
    const header = { b: entry('I32', [1], 0, 4), __metadata__: {}, a: entry('I32', [1], 4, 8) };
    const { tensors, metadata } = decodeSafetensors(build(header, [7, 0, 0, 0, 8, 0, 0, 0]));
    expect(metadata).toEqual({});
    expect(tensors.a!.data[0]).toBe(8);
    expect(tensors.b!.data[0]).toBe(7);
  });

  it.each([
    ['a file shorter than 8 bytes', new Uint8Array(5), /truncated: 5 bytes/],
    [
      'a header length beyond the file',
      build('{}', [], 100n),
      /header length 100 is beyond the file \(2 bytes follow\)/,
    ],
    [
      'a header length beyond 2^53',
      build('{}', [], 2n ** 60n),
      /header length 1152921504606846976 is beyond/,
    ],
    ['invalid JSON', build('{"a":'), /header is not valid JSON/],
    ['invalid UTF-8', build(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /not valid UTF-8/],
    ['a header that is not an object', build('[1, 2]'), /must start with "\{"/],
    ['a JSON null', build('null'), /must start with "\{"/],
    ['header padding that is not spaces', build('{}\0\0\0\0\0\0'), /header is not valid JSON/],
    [
      'an unknown dtype',
      build({ a: entry('BF16', [1], 0, 2) }, [0, 0]),
      /tensor "a" has unknown dtype "BF16" \(supported: F32, I32, F64, I64, U8\)/,
    ],
    [
      'a shape/offset size mismatch',
      build({ a: entry('F32', [2], 0, 4) }, [0, 0, 0, 0]),
      /tensor "a": shape \[2\] of F32 needs 8 bytes but data_offsets \[0, 4\] span 4/,
    ],
    [
      'overlapping offsets',
      build({ a: entry('I32', [2], 0, 8), b: entry('I32', [1], 4, 8) }, new Array(8).fill(0)),
      /overlaps tensor "a"/,
    ],
    [
      'out-of-range offsets',
      build({ a: entry('I32', [2], 0, 8) }, [0, 0, 0, 0]),
      /data_offsets \[0, 8\] are out of range \(buffer is 4 bytes\)/,
    ],
    [
      'a gap between tensors',
      build({ a: entry('U8', [1], 0, 1), b: entry('U8', [1], 2, 3) }, [1, 0, 2]),
      /gap of 1 bytes between tensor "a" and tensor "b"/,
    ],
    [
      'a gap at the start',
      build({ a: entry('U8', [1], 1, 2) }, [0, 1]),
      /gap of 1 bytes between the buffer start and tensor "a"/,
    ],
    ['trailing bytes', build({ a: entry('U8', [1], 0, 1) }, [1, 2, 3]), /2 trailing bytes after tensor "a"/],
    [
      'non-string metadata',
      build({ __metadata__: { step: 3 } }),
      /metadata "step" must be a string, got number 3/,
    ],
    [
      'metadata that is not an object',
      build({ __metadata__: 'x' }),
      /"__metadata__" must be an object of strings/,
    ],
    [
      'offsets that end before they begin',
      build({ a: entry('U8', [0], 2, 1) }),
      /data_offsets \[2, 1\] end before begin/,
    ],
    [
      'non-integer offsets',
      build({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1.5] } }, [0]),
      /data_offsets must be two non-negative integers/,
    ],
    [
      'a negative dimension',
      build({ a: entry('U8', [-1], 0, 0) }),
      /tensor "a" shape \[-1\] has an invalid dimension/,
    ],
    [
      'a missing shape',
      build({ a: { dtype: 'U8', data_offsets: [0, 0] } }),
      /tensor "a" shape must be an array/,
    ],
    [
      'an unknown field',
      build({ a: { ...entry('U8', [0], 0, 0), extra: 1 } }),
      /tensor "a" has unknown fields: extra/,
    ],
    ['a tensor entry that is not an object', build({ a: 5 }), /tensor "a" must be an object, got number 5/],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(CodecError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });
});

describe('writeSafetensors / readSafetensors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memgen-safetensors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically (no temp file left behind) and reads back the same tensors', async () => {
    const path = join(dir, 'model.safetensors');
    const w = new HostTensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
    await writeSafetensors(path, { w }, { note: 'first' });
    await writeSafetensors(path, { w: w.clone() }, { note: 'second' });
    expect(await readdir(dir)).toEqual(['model.safetensors']);
    const back = await readSafetensors(path);
    expect(back.metadata).toEqual({ note: 'second' });
    expect([...back.tensors.w!.data]).toEqual([1, 2, 3, 4]);
    expect(new Uint8Array(await readFile(path))).toEqual(encodeSafetensors({ w }, { note: 'second' }));
  });

  it('fails with the I/O error and leaves nothing when the directory cannot be made', async () => {
    await writeFile(join(dir, 'plain-file'), 'x');
    await expect(writeSafetensors(join(dir, 'plain-file', 'x.safetensors'), {})).rejects.toThrow(
      /ENOTDIR|EEXIST/,
    );
    expect(await readdir(dir)).toEqual(['model.safetensors', 'plain-file']);
  });
});
