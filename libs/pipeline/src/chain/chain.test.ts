/**
 * A run directory that cannot lie: each case a careful user tries by hand — a stricter gate, a
 * damaged checkpoint, a truncated or corrupted artefact, a garbage config, two processes at once —
 * is detected, and either reruns what it reaches or is refused with the file named.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageRun } from '../registry/declaration.js';
import { registeredStages } from '../registry/registry.js';
import { quietContext } from '../stage.js';
import {
  FIXTURE_SEEDS,
  type FixtureTrainSpec,
  fixtureStudyConfig,
  fixtureTrainStage,
} from '../study/common/test-fixture.js';
import { compareRuns } from '../study/compare/compare.js';
import { runStudy, type StudyOutcome, withRunDirLock } from '../study/run.js';
import { RUN_FILES } from '../study/run-dir.js';
import { QUARANTINE_DIR } from './quarantine.js';
import { readStageRecord } from './records.js';
import { runStages } from './run-stages.js';

let base: string;
const scratch: string[] = [];
const train: StageRun = (spec, ctx) => fixtureTrainStage(spec.train as FixtureTrainSpec, ctx);
const spec = { train: { steps: 50, seed: FIXTURE_SEEDS[0] }, study: fixtureStudyConfig() };
const statusOf = (o: StudyOutcome) => Object.fromEntries(o.stages.map((s) => [s.stage, s.status]));

/** A copy of the finished study to damage. */
async function copyOfStudy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'memgen-chain-'));
  scratch.push(dir);
  await cp(base, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  await useTestBackend();
  base = await mkdtemp(join(tmpdir(), 'memgen-chain-base-'));
  scratch.push(base);
  await runStudy(spec, quietContext(base), { train });
});

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('the freshness chain', () => {
  it('records the digest of every input read and output written', async () => {
    const stats = (await readStageRecord(base, 'stats'))!;
    expect(Object.keys(stats.inputs)).toEqual([RUN_FILES.activations, 'stages/record.json']);
    expect(Object.keys(stats.outputs)).toEqual([RUN_FILES.stats]);
    const report = (await readStageRecord(base, 'report'))!;
    expect(Object.keys(report.inputs)).toEqual(
      expect.arrayContaining(['steering.json', 'stages/consistency.json']),
    );
    expect(Object.keys(report.outputs)).toEqual(
      expect.arrayContaining(['report.md', 'figures/nmd-heatmap.png']),
    );
  });

  it('(a) a stricter gate leaves no stale statistics, probes or steering in the report', async () => {
    const dir = await copyOfStudy();
    const strict = { ...spec, study: fixtureStudyConfig({ pairs: { ...spec.study.pairs, minPairs: 100 } }) };
    const outcome = await runStudy(strict, quietContext(dir), { train });
    expect(outcome.stopped).toMatch(/only 16 flipped pairs, fewer than pairs.minPairs = 100/);
    // The gate is not a decoding setting: the pairs are not decoded again.
    expect(statusOf(outcome)).toMatchObject({
      train: 'skipped',
      pairs: 'skipped',
      stats: 'not-run',
      report: 'ran',
    });
    const report = await readFile(join(dir, RUN_FILES.report), 'utf8');
    expect(report).toContain('**The study stops here:**');
    for (const stage of ['statistics', 'probes', 'steering', 'consistency']) {
      expect(report).toContain(`The ${stage} stage has not run for this configuration.`);
    }
    const results = await readJson<Record<string, unknown>>(join(dir, RUN_FILES.results));
    expect(results).toMatchObject({ stats: null, probes: null, steering: null });
    expect(Object.keys(results.stages as object).sort()).toEqual(['pairs', 'train']);
    // The earlier configuration's files are set aside with their records, out of every reader's way.
    for (const [stage, file] of [
      ['stats', RUN_FILES.stats],
      ['stats', 'stages/stats.json'],
      ['probes', RUN_FILES.probes],
      ['steer', RUN_FILES.steering],
    ] as const) {
      expect(existsSync(join(dir, file)), file).toBe(false);
      expect(existsSync(join(dir, QUARANTINE_DIR, stage, file)), file).toBe(true);
    }
    await expect(compareRuns([dir, base])).rejects.toThrow(`${dir} has no ${RUN_FILES.stats}`);
  });

  it('(b) a flipped bit in the checkpoint is refused, naming the file, and nothing reruns', async () => {
    const dir = await copyOfStudy();
    const path = join(dir, 'checkpoint/model.safetensors');
    const bytes = await readFile(path);
    bytes[bytes.length - 3]! ^= 0x10;
    await writeFile(path, bytes);
    const before = await readFile(join(dir, 'stages/pairs.json'), 'utf8');
    await expect(runStudy(spec, quietContext(dir), { train })).rejects.toThrow(
      /checkpoint\/model\.safetensors is not the file the train stage wrote .*delete .*stages\/train\.json/,
    );
    expect(await readFile(join(dir, 'stages/pairs.json'), 'utf8')).toBe(before);
  });

  it('(c) a garbage checkpoint config is refused; a truncated activations file reruns record only', async () => {
    const garbled = await copyOfStudy();
    await writeFile(join(garbled, 'checkpoint/config.json'), '{"n_embd": ');
    await expect(runStudy(spec, quietContext(garbled), { train })).rejects.toThrow(
      /checkpoint\/config\.json is not the file the train stage wrote/,
    );
    const dir = await copyOfStudy();
    const original = await readFile(join(base, RUN_FILES.activations));
    await truncate(join(dir, RUN_FILES.activations), 100);
    const outcome = await runStudy(spec, quietContext(dir), { train });
    expect(statusOf(outcome)).toMatchObject({
      pairs: 'skipped',
      record: 'ran',
      stats: 'skipped',
      report: 'skipped',
    });
    // Rerunning reproduced the same bytes, so everything below it is current again.
    expect(await readFile(join(dir, RUN_FILES.activations))).toEqual(original);
  });

  it('(d) corrupt activations never reach the statistics: a stats-only run refuses them', async () => {
    const dir = await copyOfStudy();
    const path = join(dir, RUN_FILES.activations);
    const bytes = await readFile(path);
    bytes.fill(0x7f, bytes.length - 64);
    await writeFile(path, bytes);
    const statsOnly = runStages(registeredStages(), spec, quietContext(dir), { only: ['stats'] });
    await expect(statsOnly).rejects.toThrow(
      /stage 'stats' needs 'record', which is not current .*activations\.safetensors is not the file the record stage wrote/,
    );
    const outcome = await runStudy(spec, quietContext(dir), { train });
    expect(statusOf(outcome)).toMatchObject({ record: 'ran', stats: 'skipped', steer: 'skipped' });
    const stats = (await readStageRecord<{ resid: { sites: { meanAbsNmd: number }[] } }>(dir, 'stats'))!;
    for (const site of stats.result.resid.sites) expect(site.meanAbsNmd).toBeLessThan(10);
  });

  it('a new model reruns every stage below it, though their own configs did not change', async () => {
    const dir = await copyOfStudy();
    const retrained = { ...spec, train: { steps: 45, seed: FIXTURE_SEEDS[0] } };
    const outcome = await runStudy(retrained, quietContext(dir), { train });
    // Nothing below the new model is skipped: each stage ran, or the gate stopped it.
    expect(outcome.stages.filter((s) => s.status === 'skipped')).toEqual([]);
    expect(statusOf(outcome)).toMatchObject({ train: 'ran', pairs: 'ran', report: 'ran' });
    const pairs = (await readStageRecord(dir, 'pairs'))!;
    expect(pairs.inputs['checkpoint/model.safetensors']).not.toBe(
      (await readStageRecord(base, 'pairs'))!.inputs['checkpoint/model.safetensors'],
    );
  });

  it('(e) a second process on the same run directory is refused; the first finishes whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memgen-chain-lock-'));
    scratch.push(dir);
    const first = runStudy(spec, quietContext(dir), { train });
    await new Promise((r) => setTimeout(r, 50));
    await expect(runStudy(spec, quietContext(dir), { train })).rejects.toThrow(
      new RegExp(`is in use by process ${process.pid} on `),
    );
    const outcome = await first;
    expect(outcome.stages.every((s) => s.status === 'ran')).toBe(true);
    expect((await readFile(join(dir, RUN_FILES.curve), 'utf8')).trim().split('\n')).toHaveLength(50);
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
    // Released: the directory can be used again.
    await expect(withRunDirLock(dir, async () => 'ok')).resolves.toBe('ok');
  });
  it('stops before the statistics when too few pairs flip, and the report says so', async () => {
    const small = await mkdtemp(join(tmpdir(), 'memgen-chain-few-'));
    try {
      await cp(join(base, RUN_FILES.checkpoint), join(small, RUN_FILES.checkpoint), { recursive: true });
      const few = await runStudy(
        { study: fixtureStudyConfig({ pairs: { target: 3, maxItems: 600, minPairs: 6 } }) },
        quietContext(small),
      );
      expect(few.stopped).toMatch(/only 3 flipped pairs/);
      expect(few.stages.filter((s) => s.status === 'not-run').map((s) => s.stage)).toEqual([
        'train',
        'record',
        'stats',
        'probes',
        'consistency',
        'steer',
        'patching',
      ]);
      const report = await readFile(join(small, RUN_FILES.report), 'utf8');
      expect(report).toContain('The study stops here');
      expect(report).toContain('The statistics stage has not run');
      expect(existsSync(join(small, RUN_FILES.stats))).toBe(false);
    } finally {
      await rm(small, { recursive: true, force: true });
    }
  });
});
