/**
 * The steer stage stopped mid-grid and run again: the settings it finished are read back, the rest
 * measured, and steering.json comes out byte-identical to an uninterrupted run's. A store kept for
 * other inputs, or a kept setting that does not parse, is never taken up.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageRecordPath } from '../../../chain/records.js';
import { runStages } from '../../../chain/run-stages.js';
import { registeredStages } from '../../../registry/registry.js';
import type { Progress, StageContext } from '../../../stage.js';
import { quietContext } from '../../../stage.js';
import { fixtureRunSpec, fixtureStudyConfig, fixtureTrain } from '../../common/test-fixture.js';
import { runStudy } from '../../run.js';
import { RUN_FILES } from '../../run-dir.js';
import { SETTING_STORE_DIR } from './setting-store.js';

const steer = {
  items: 48,
  capabilityItems: 16,
  bootstrap: 100,
  batchSize: 32,
  learn: { steps: 10, choiceSteps: 3, keepItems: 8 },
  calibrationPairs: 10,
  families: [
    { kind: 'direction', learn: 'gradient', alphas: [0.5, 1], keep: ['all', 2] },
    { kind: 'das', rank: 1, alphas: [1] },
    { kind: 'sublayer-scale', toGen: 'calibrated', toMem: 'calibrated', position: 'last', alphas: [-0.5] },
  ],
  primary: 'dir-grad-calib-prompt-a0.5',
};
const spec = { ...fixtureRunSpec(), study: fixtureStudyConfig({ steer }) };

let root: string;
let reference: string;
let settingIds: string[];

/** A copy of the finished run with the steer stage to run again. */
async function copyWithoutSteering(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(join(root, 'reference'), dir, { recursive: true });
  await rm(join(dir, RUN_FILES.steering));
  await rm(stageRecordPath(dir, 'steer'));
  return dir;
}

/** The steer stage alone, as a sweep's steering job runs it. */
const steerOnly = (ctx: StageContext) => runStages(registeredStages(), spec, ctx, { only: ['steer'] });

/** A context that records log lines and the settings steer reports, aborting after `stopAfter`. */
function watchedContext(dir: string, stopAfter?: number) {
  const lines: string[] = [];
  const steered: Progress[] = [];
  const abort = new AbortController();
  const ctx: StageContext = {
    ...quietContext(dir),
    signal: abort.signal,
    log: (line) => lines.push(line),
    progress: (p) => {
      if (p.stage !== 'steer' || p.done === 0) return;
      steered.push(p);
      if (p.done === stopAfter) abort.abort(new Error('stopped by the test'));
    },
  };
  return { ctx, lines, steered };
}

const keptFiles = async (dir: string) =>
  (await readdir(join(dir, SETTING_STORE_DIR))).filter((n) => n.endsWith('.setting.json')).sort();

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'memgen-steer-resume-'));
  const dir = join(root, 'reference');
  await runStudy(spec, quietContext(dir), { train: fixtureTrain });
  reference = await readFile(join(dir, RUN_FILES.steering), 'utf8');
  settingIds = (JSON.parse(reference) as { settings: { id: string }[] }).settings.map((s) => s.id);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('steer stage resumed mid-grid', () => {
  it('an uninterrupted run leaves no store behind', async () => {
    expect(settingIds.length).toBeGreaterThanOrEqual(5);
    await expect(readdir(join(root, 'reference', SETTING_STORE_DIR))).rejects.toThrow(/ENOENT/);
  });

  it('stopped after 2 settings, the rerun measures only the rest and writes the same bytes', async () => {
    const dir = await copyWithoutSteering('stopped');
    const first = watchedContext(dir, 2);
    await expect(steerOnly(first.ctx)).rejects.toThrow(/stopped by the test/);
    expect(await keptFiles(dir)).toHaveLength(2);

    const second = watchedContext(dir);
    await steerOnly(second.ctx);
    expect(second.lines).toContain(`steer: resuming with 2 of ${settingIds.length} settings finished`);
    expect(second.steered.map((p) => p.detail)).toEqual(settingIds);
    expect(await readFile(join(dir, RUN_FILES.steering), 'utf8')).toBe(reference);
    await expect(readdir(join(dir, SETTING_STORE_DIR))).rejects.toThrow(/ENOENT/);
  });

  it('a store kept for other inputs is discarded, not mixed in', async () => {
    const dir = await copyWithoutSteering('foreign');
    const stopped = watchedContext(dir, 3);
    await expect(steerOnly(stopped.ctx)).rejects.toThrow(/stopped by the test/);
    // The same settings, but the key of another configuration: none of them may be reused.
    await writeFile(join(dir, SETTING_STORE_DIR, 'key'), 'another configuration\n');
    const [kept] = await keptFiles(dir);
    const forged = JSON.parse(await readFile(join(dir, SETTING_STORE_DIR, kept!), 'utf8'));
    forged.mem_to_gen = 0.999;
    await writeFile(join(dir, SETTING_STORE_DIR, kept!), JSON.stringify(forged));

    const rerun = watchedContext(dir);
    await steerOnly(rerun.ctx);
    expect(rerun.lines.some((l) => /discarding .*steer-partial/.test(l))).toBe(true);
    expect(rerun.lines.some((l) => l.startsWith('steer: resuming'))).toBe(false);
    expect(await readFile(join(dir, RUN_FILES.steering), 'utf8')).toBe(reference);
  });

  it('a kept setting that does not parse is measured again', async () => {
    const dir = await copyWithoutSteering('corrupt');
    const stopped = watchedContext(dir, 2);
    await expect(steerOnly(stopped.ctx)).rejects.toThrow(/stopped by the test/);
    const [first, second] = await keptFiles(dir);
    await writeFile(join(dir, SETTING_STORE_DIR, first!), '{"id": "cut sh');

    const rerun = watchedContext(dir);
    await steerOnly(rerun.ctx);
    expect(rerun.lines.some((l) => l.includes(`ignoring ${join(dir, SETTING_STORE_DIR, first!)}`))).toBe(true);
    expect(rerun.lines).toContain(`steer: resuming with 1 of ${settingIds.length} settings finished`);
    expect(second).toBeDefined();
    expect(await readFile(join(dir, RUN_FILES.steering), 'utf8')).toBe(reference);
  });
});
