import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainPreset } from '@memgen/pipeline';
import { describe, expect, it } from 'vitest';
import { resolveTrainSpec } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'memgen-train-cli-'));

function specFile(seed: number | undefined): string {
  const spec = trainPreset('color', 'smoke', 0) as Record<string, unknown>;
  const path = join(dir, `spec-${seed ?? 'none'}.json`);
  const body = { ...spec };
  if (seed === undefined) delete body.seed;
  else body.seed = seed;
  writeFileSync(path, JSON.stringify(body));
  return path;
}

describe('memgen train: which seed trains', () => {
  const base = { task: 'color', preset: 'quick' };

  it("keeps a --spec file's seed unless --seed is given, then --seed wins", () => {
    expect(resolveTrainSpec({ ...base, spec: specFile(3) }).seed).toBe(3);
    expect(resolveTrainSpec({ ...base, spec: specFile(3), seed: '5' }).seed).toBe(5);
    expect(resolveTrainSpec({ ...base, spec: specFile(undefined) }).seed).toBe(0);
  });

  it("refuses a YAML --spec file's seed written in hex, octal or exponent form", () => {
    for (const seed of ['0x10', '0o17', '1e3']) {
      const path = join(dir, `spec-${seed}.yaml`);
      writeFileSync(path, `seed: ${seed}\ntask: {name: color}\n`);
      expect(() => resolveTrainSpec({ ...base, spec: path })).toThrow(
        `train spec: field "seed": expected an integer from 0 to 4294967295 in decimal digits, got "${seed}"`,
      );
    }
  });

  it('takes the preset at --seed, default 0, and refuses what memgen run refuses', () => {
    expect(resolveTrainSpec(base).seed).toBe(0);
    expect(resolveTrainSpec({ ...base, seed: '2' }).seed).toBe(2);
    expect(resolveTrainSpec({ ...base, seed: '4294967295' }).seed).toBe(4294967295);
    for (const bad of ['-5', '', '0x10', '1e3', ' 3', '1.5', 'one', '4294967296'])
      expect(() => resolveTrainSpec({ ...base, seed: bad })).toThrow(
        `--seed: expected an integer from 0 to 4294967295 in decimal digits, got ${JSON.stringify(bad)}`,
      );
    expect(() => resolveTrainSpec({ ...base, spec: specFile(-5) })).toThrow(
      /^train spec: field "seed": expected an integer from 0 to 4294967295/,
    );
    expect(() => resolveTrainSpec({ ...base, spec: specFile(1), size: 'tiny' })).toThrow(
      /--size applies to a preset/,
    );
  });

  it('takes the task from a --spec file, checks it against --task when both are given', () => {
    expect(resolveTrainSpec({ preset: 'quick', spec: specFile(4) }).task.name).toBe('color');
    expect(() => resolveTrainSpec({ preset: 'quick', task: 'addition', spec: specFile(4) })).toThrow(
      '--task addition but the spec trains color',
    );
    expect(() => resolveTrainSpec({ preset: 'quick' })).toThrow(/give --task .*, or --spec FILE/);
  });
});
