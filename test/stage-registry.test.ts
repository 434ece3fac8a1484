/**
 * Adding a stage touches only its own file and its registry entry: the test-only `echo` stage
 * (test/support/echo-stage.ts) runs in the study runner behind `memgen run` once registered, and in
 * a local `memgen sweep` when MEMGEN_STAGE_MODULES names its file — in the fitting job, after stats.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fileDigest, readJson } from '@memgen/common';
import { quietContext, RUN_FILES, readStageRecord, registerStage, runStudy } from '@memgen/pipeline';
import { useTestBackend } from '@memgen/tensor';
import { describe, expect, it } from 'vitest';
import { fixtureRunSpec, fixtureTrain as train } from '../libs/pipeline/src/study/common/test-fixture.js';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import echoStage, { ECHO_FILE } from './support/echo-stage.js';
import { useTempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const cli = fileURLToPath(new URL('../services/cli/src/main.ts', import.meta.url));
const echoModule = fileURLToPath(new URL('./support/echo-stage.ts', import.meta.url));

const tmp = useTempDir('memgen-registry-');

/** The echo stage's contract: echo.json holds the digest of the stats file beside it. */
async function expectEcho(runDir: string): Promise<void> {
  const echo = await readJson<{ statsDigest: string }>(join(runDir, ECHO_FILE));
  expect(echo.statsDigest).toBe(await fileDigest(join(runDir, RUN_FILES.stats)));
  const record = await readStageRecord(runDir, 'echo');
  expect(Object.keys(record!.inputs)).toEqual(['stages/stats.json', RUN_FILES.stats]);
  // The report reads every stage before it, the new one included.
  expect(Object.keys((await readStageRecord(runDir, 'report'))!.inputs)).toContain(ECHO_FILE);
}

describe('a stage registered from its own file', () => {
  it('runs in the study runner (memgen run), after stats, and is skipped when current', async () => {
    await useTestBackend();
    const remove = registerStage(echoStage);
    try {
      const runDir = join(tmp.path, 'run');
      const spec = fixtureRunSpec();
      const outcome = await runStudy(spec, quietContext(runDir), { train });
      const names = outcome.stages.map((s) => s.stage);
      expect(names.indexOf('echo')).toBeGreaterThan(names.indexOf('stats'));
      expect(names.indexOf('echo')).toBeLessThan(names.indexOf('report'));
      expect(outcome.stages.find((s) => s.stage === 'echo')?.status).toBe('ran');
      await expectEcho(runDir);
      const again = await runStudy(spec, quietContext(runDir), { train });
      expect(again.stages.find((s) => s.stage === 'echo')?.status).toBe('skipped');
    } finally {
      remove();
    }
  });

  it('runs in a local memgen sweep when MEMGEN_STAGE_MODULES names it', async () => {
    const specPath = await writeTinySweepSpec(join(tmp.path, 'spec.json'), [0]);
    const out = join(tmp.path, 'sweep');
    const env = { ...process.env, MEMGEN_STAGE_MODULES: echoModule };
    const result = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'sweep', '--spec', specPath, '--out', out, '--workers', '1'],
      { cwd: repoRoot, env, maxBuffer: 16 << 20 },
    );
    expect(result.stdout).toMatch(/4\/4 jobs done/);
    const runDir = join(out, 'runs', 'color-smoke-s0');
    expect(existsSync(join(runDir, 'stages/echo.json'))).toBe(true);
    await expectEcho(runDir);
    const report = await readFile(join(runDir, RUN_FILES.report), 'utf8');
    expect(report).toMatch(/\| echo \|/);
  });
});
