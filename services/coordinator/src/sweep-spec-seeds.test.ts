/** A sweep spec file's seeds follow the command line's rule, in YAML as in JSON. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SpecError } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/support/temp-dir.js';
import { loadSweepSpec } from './sweep-spec.js';

const tmp = useTempDir('memgen-spec-seeds-');

async function load(name: string, text: string) {
  const path = join(tmp.path, name);
  await writeFile(path, text);
  return loadSweepSpec(path).catch((err: unknown) => err);
}

describe('sweep spec seeds', () => {
  it('refuses [0x10], [1e3] and [0o17] in a YAML spec as the README says, naming the entry', async () => {
    for (const seed of ['0x10', '1e3', '0o17']) {
      const err = await load(`s-${seed}.yaml`, `tasks: [color]\npresets: [quick]\nseeds: [0, ${seed}]\n`);
      expect(err).toBeInstanceOf(SpecError);
      expect((err as Error).message).toBe(
        `sweep spec: field "seeds.1": expected an integer from 0 to 4294967295 in decimal digits, got "${seed}"`,
      );
    }
  });

  it('refuses 1e3 in a JSON spec too, and reads decimal seeds in both', async () => {
    const json = await load('s.json', '{"tasks": ["color"], "presets": ["quick"], "seeds": [1e3]}');
    expect((json as Error).message).toMatch(/^sweep spec: field "seeds\.0": .*got "1e3"/);
    const yaml = await load('ok.yaml', 'tasks: [color]\npresets: [quick]\nseeds: [0, 16, 1000]\n');
    expect(yaml).toMatchObject({ seeds: [0, 16, 1000] });
  });
});
