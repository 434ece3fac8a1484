/**
 * The published entry point run from outside the repository: by absolute path and through a
 * symlink (as npm links the package's `bin`), with a temporary directory as the working directory.
 * `status` loads the NestJS services (decorators need the repository's tsconfig.json) and a local
 * sweep forks worker processes that load the sources the same way.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../services/cli/bin/memgen.mjs', import.meta.url));
let cwd: string;

/** `memgen <args>` through `entry`, from the temporary directory, without tsx's variables. */
function memgenFrom(entry: string, ...args: string[]) {
  const { TSX_TSCONFIG_PATH: _ignored, ...env } = process.env;
  return run(process.execPath, [entry, ...args], { cwd, env, maxBuffer: 16 << 20 });
}

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'memgen-elsewhere-'));
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('memgen run from another directory', () => {
  it('loads the decorated services by absolute path and through a linked bin', async () => {
    const status = await memgenFrom(bin, 'status', '--help');
    expect(status.stdout).toContain('Usage: memgen status');
    await mkdir(join(cwd, 'node_modules', '.bin'), { recursive: true });
    const linked = join(cwd, 'node_modules', '.bin', 'memgen');
    await symlink(bin, linked);
    const refusal = await memgenFrom(linked, 'status', '--out', cwd).catch((err: unknown) => err);
    expect((refusal as { stderr: string }).stderr).toContain(`no local sweep progress at ${cwd}`);
    expect((refusal as { stderr: string }).stderr).not.toMatch(/TransformError|decorators/);
  }, 60_000);

  it('runs a local sweep, whose forked workers load the sources too', async () => {
    const spec = await writeTinySweepSpec(join(cwd, 'spec.json'), [0]);
    const out = await memgenFrom(bin, 'sweep', '--spec', spec, '--out', 'sweep', '--workers', '1');
    expect(out.stdout).toMatch(/4\/4 jobs done/);
    const results = JSON.parse(await readFile(join(cwd, 'sweep', 'results.json'), 'utf8'));
    expect(results.groups).toHaveLength(1);
  }, 180_000);
});
