/**
 * The artefacts must be readable from Python without memgen: these tests hand our files to
 * python3 (the safetensors package when installed; json + struct otherwise) and read files Python wrote.
 * Tests that need a missing Python module are skipped, and say which module in their name.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostTensor } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

const hasPythonModule = (name: string) =>
  spawnSync('python3', ['-c', `import ${name}`], { stdio: 'ignore' }).status === 0;
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const hasNumpy = hasPython && hasPythonModule('numpy');
const hasSafetensors = hasNumpy && hasPythonModule('safetensors');

const dir = mkdtempSync(join(tmpdir(), 'memgen-pyinterop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a Python script with the temp dir as argv[1] and parses the JSON it prints. */
function python(script: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' }));
}

/** Values as strings, so int64 and float64 compare exactly across JSON. */
const asStrings = (t: HostTensor) => Array.from(t.data as ArrayLike<number | bigint>, (v) => String(v));

const cases: Record<string, HostTensor> = {
  f32: new HostTensor('float32', [2, 3], new Float32Array([0, 1.5, -2, 3.25, 1e-30, 65504])),
  i32: new HostTensor('int32', [3], new Int32Array([-2147483648, 0, 2147483647])),
  f64: new HostTensor('float64', [], new Float64Array([0.1])),
  i64: new HostTensor('int64', [2, 1], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])),
  u8: new HostTensor('uint8', [1, 1, 4], new Uint8Array([0, 1, 128, 255])),
  empty: new HostTensor('float32', [0, 2], new Float32Array(0)),
};

/** A minimal safetensors reader in Python's standard library: the layout, checked independently. */
const PURE_PYTHON_READER = `
import json, struct, sys
FORMATS = {"F32": "f", "I32": "i", "F64": "d", "I64": "q", "U8": "B"}
raw = open(sys.argv[1] + "/ours.safetensors", "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
buf = raw[8 + n:]
out = {"aligned": (8 + n) % 8 == 0, "metadata": header.pop("__metadata__", None), "tensors": {}}
spans = []
for name, e in header.items():
    b, end = e["data_offsets"]
    count = 1
    for dim in e["shape"]:
        count *= dim
    fmt = "<%d%s" % (count, FORMATS[e["dtype"]])
    assert struct.calcsize(fmt) == end - b, name
    out["tensors"][name] = {"dtype": e["dtype"], "shape": e["shape"],
                            "values": [repr(v) for v in struct.unpack(fmt, buf[b:end])]}
    spans.append((b, end))
spans.sort()
out["contiguous"] = all(a[1] == b[0] for a, b in zip(spans, spans[1:])) and spans[0][0] == 0 and spans[-1][1] == len(buf)
print(json.dumps(out))
`;

describe.skipIf(!hasPython)(
  `safetensors interop${hasPython ? '' : ' (skipped: python3 not installed)'}`,
  () => {
    it('a json+struct Python reader finds our header, offsets and values', () => {
      writeFileSync(join(dir, 'ours.safetensors'), encodeSafetensors(cases, { framework: 'memgen' }));
      const report = python(PURE_PYTHON_READER) as {
        aligned: boolean;
        contiguous: boolean;
        metadata: Record<string, string>;
        tensors: Record<string, { dtype: string; shape: number[]; values: string[] }>;
      };
      expect(report.aligned).toBe(true);
      expect(report.contiguous).toBe(true);
      expect(report.metadata).toEqual({ framework: 'memgen' });
      for (const [name, t] of Object.entries(cases)) {
        expect(report.tensors[name]!.shape, name).toEqual(t.shape);
        expect(report.tensors[name]!.values.map(Number), name).toEqual(asStrings(t).map(Number));
      }
      expect(report.tensors.i64!.values).toEqual(['-9223372036854775808', '9223372036854775807']);
    });

    it('decodes a file Python assembled by hand (unpadded header, data in reverse name order)', () => {
      python(`
import json, struct, sys
data = struct.pack("<2i", 3, -4) + struct.pack("<3f", 0.5, 1.5, -8.0)
header = {"b": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]},
          "a": {"dtype": "F32", "shape": [3, 1], "data_offsets": [8, 20]},
          "__metadata__": {"source": "python"}}
h = json.dumps(header).encode()
open(sys.argv[1] + "/theirs.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + data)
print("{}")`);
      const { tensors, metadata } = decodeSafetensors(readFileSync(join(dir, 'theirs.safetensors')));
      expect(metadata).toEqual({ source: 'python' });
      expect(tensors.a!.shape).toEqual([3, 1]);
      expect([...tensors.a!.data]).toEqual([0.5, 1.5, -8]);
      expect([...tensors.b!.data]).toEqual([3, -4]);
    });

    it.skipIf(!hasSafetensors)(
      `the safetensors Python package loads our file${hasSafetensors ? '' : ' (skipped: python3 safetensors not installed)'}`,
      () => {
        writeFileSync(join(dir, 'ours.safetensors'), encodeSafetensors(cases, { framework: 'memgen' }));
        const report = python(`
import json, sys
from safetensors.numpy import load_file
t = load_file(sys.argv[1] + "/ours.safetensors")
print(json.dumps({k: [str(v) for v in a.ravel().tolist()] for k, a in t.items()}))`) as Record<
          string,
          string[]
        >;
        for (const [name, t] of Object.entries(cases))
          expect(report[name]!.map(Number)).toEqual(asStrings(t).map(Number));
      },
    );
  },
);
