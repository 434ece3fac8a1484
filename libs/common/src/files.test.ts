import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fileDigest, readJson, readJsonLines, readText, writeFileAtomic, writeJson } from './files.js';

/** A fresh directory for one test, removed when the test finishes. */
async function testDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'memgen-common-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('writeFileAtomic', () => {
  it('replaces the content, creates the directory and leaves no temporary file', async () => {
    const dir = await testDir();
    const path = join(dir, 'atomic', 'deep', 'a.txt');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, new Uint8Array([0x73, 0x65, 0x63]));
    expect(await readFile(path, 'utf8')).toBe('sec');
    expect(await readdir(join(dir, 'atomic', 'deep'))).toEqual(['a.txt']);
  });

  it('fails with the I/O error and removes its temporary file', async () => {
    const dir = await testDir();
    const target = join(dir, 'is-a-dir');
    await writeFileAtomic(join(target, 'x'), 'x');
    await expect(writeFileAtomic(target, 'y')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it('writeJson writes two-space JSON with a final newline, and readJson reads it back', async () => {
    const dir = await testDir();
    const path = join(dir, 'v.json');
    await writeJson(path, { a: [1, 2], b: { c: 'x' } });
    expect(await readFile(path, 'utf8')).toBe(
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": "x"\n  }\n}\n',
    );
    expect(await readJson(path)).toEqual({ a: [1, 2], b: { c: 'x' } });
  });
});

describe('readers', () => {
  it('name the file when it is missing or not JSON', async () => {
    const dir = await testDir();
    await expect(readText(join(dir, 'none.txt'))).rejects.toThrow(/cannot read .*none\.txt: ENOENT/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"a": ');
    await expect(readJson(bad)).rejects.toThrow(/bad\.json is not valid JSON/);
  });

  it('readJsonLines skips blank lines and names file and line of bad JSON', async () => {
    const dir = await testDir();
    const path = join(dir, 'rows.jsonl');
    await writeFile(path, '{"i":1}\n\n  \n{"i":2}\n');
    expect(await readJsonLines(path)).toEqual([{ i: 1 }, { i: 2 }]);
    await writeFile(path, '{"i":1}\n{"i":2}\n{"i":\n');
    await expect(readJsonLines(path)).rejects.toThrow(/rows\.jsonl:3: not valid JSON/);
  });

  it('fileDigest is the SHA-256 of the bytes, also across stream chunks', async () => {
    const dir = await testDir();
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
    const path = join(dir, 'blob.bin');
    await writeFile(path, bytes);
    expect(await fileDigest(path)).toBe(createHash('sha256').update(bytes).digest('hex'));
    await writeFile(path, '');
    expect(await fileDigest(path)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
