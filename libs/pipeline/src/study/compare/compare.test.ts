import { cp, mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Activations,
  makeActivations,
  neuronMeanDifference,
  pointBiserial,
  pooledStandardDeviation,
  spearman,
} from '@memgen/analysis';
import { stream } from '@memgen/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFiles } from '../../chain/digests.js';
import { RECORD_FORMAT, stageRecordFile, writeStageRecord } from '../../chain/records.js';
import { spearmanPermutationNull } from '../consistency/rank-null.js';
import { writeActivations } from '../record/activations-file.js';
import { RUN_FILES } from '../run-dir.js';
import { writeStatistics } from '../stats/stats-file.js';
import { compareRuns, comparisonMarkdown } from './compare.js';

const SITES = ['embed', 'blocks.0.resid_post', 'blocks.1.resid_post'];

/** [n, 3, width] activations: gen is noise; mem = gen + effect + noise·(1 − coupling). */
function pairedActivations(n: number, width: number, effect: number[], seed: number) {
  const rng = stream(seed, 'test/activations');
  const noise = () => 2 * rng.float() - 1;
  const size = n * SITES.length * width;
  const gen = new Float32Array(size);
  const mem = new Float32Array(size);
  for (let k = 0; k < size; k++) {
    gen[k] = noise();
    mem[k] = gen[k]! + (effect[k % (SITES.length * width)] ?? 0) + 0.3 * noise();
  }
  return {
    mem: makeActivations(mem, n, SITES.length, width),
    gen: makeActivations(gen, n, SITES.length, width),
  };
}

async function writeRun(dir: string, mem: Activations, gen: Activations): Promise<void> {
  await writeActivations(join(dir, RUN_FILES.activations), {
    resid: { sites: SITES, mem, gen },
    configHash: 'test',
  });
  const stats = {
    sites: SITES,
    nmd: neuronMeanDifference(mem, gen),
    r: pointBiserial(mem, gen),
    sd: pooledStandardDeviation(mem, gen),
  };
  await writeStatistics(join(dir, RUN_FILES.stats), { resid: stats, configHash: 'test' });
  await recordStage(dir, 'record', [], [RUN_FILES.activations]);
  await recordStage(dir, 'stats', [RUN_FILES.activations, stageRecordFile('record')], [RUN_FILES.stats]);
}

/** The stage record a stage writing `outputs` after reading `inputs` leaves (compare reads only through them). */
async function recordStage(dir: string, stage: string, inputs: string[], outputs: string[]): Promise<void> {
  await writeStageRecord(dir, {
    format: RECORD_FORMAT,
    stage,
    config_hash: '0'.repeat(64),
    inputs: await digestFiles(dir, inputs),
    outputs: await digestFiles(dir, outputs),
    result: null,
  });
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'memgen-compare-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('compareRuns', () => {
  it('finds the same top coordinates in two runs that share an effect, beside random masks', async () => {
    // Effect on 4 of the 16 block coordinates (8 per block); the embedding row stays excluded.
    const effect = new Array(24).fill(0);
    for (const c of [9, 12, 17, 22]) effect[c] = 1.5;
    const a = join(root, 'a');
    const b = join(root, 'b');
    const c = join(root, 'c');
    const runA = pairedActivations(60, 8, effect, 1);
    const runB = pairedActivations(60, 8, effect, 2);
    await writeRun(a, runA.mem, runA.gen);
    await writeRun(b, runB.mem, runB.gen);
    const runC = pairedActivations(60, 8, [], 3);
    await writeRun(c, runC.mem, runC.gen);
    const cmp = await compareRuns([a, b, c], { topFractions: [0.25], randomDraws: 400, nullDraws: 40 });
    expect(cmp.excludedSites).toEqual(['embed']);
    const ab = cmp.comparisons.find((p) => p.a === 0 && p.b === 1)!;
    // Top 25 % of 16 = 4 coordinates: exactly the 4 shared effects in both runs.
    expect(ab.overlaps[0]!.dice).toBe(1);
    expect(ab.overlaps[0]!.expectedRandom).toBeCloseTo(0.25, 12);
    expect(ab.overlaps[0]!.pValue).toBeLessThan(0.01);
    // Two of the four in each block: within-block random masks share 2·(2·2/8) of 4 on average.
    expect(ab.overlaps[0]!.layerMatched!.expected).toBeCloseTo(0.25, 12);
    expect(ab.overlaps[0]!.layerMatched!.pValue).toBeLessThan(0.01);
    const ac = cmp.comparisons.find((p) => p.a === 0 && p.b === 2)!;
    expect(ac.overlaps[0]!.dice!).toBeLessThan(1);
    expect(ab.spearmanNmd).toBeGreaterThan(ab.spearmanNull95);
    const md = comparisonMarkdown(cmp);
    expect(md).toContain('| above random and layer-matched masks |');
    expect(md).toContain('| indistinguishable from random masks |');
    expect(md).toContain('Spearman ρ of NMD');
  });

  it('refuses different model sizes, a single run and a run without statistics', async () => {
    const small = join(root, 'small');
    const run = pairedActivations(10, 4, [], 5);
    await writeRun(small, run.mem, run.gen);
    await expect(compareRuns([join(root, 'a'), small])).rejects.toThrow(/only runs of the same model size/);
    await expect(compareRuns([small])).rejects.toThrow(/at least two run directories/);
    await expect(compareRuns([small, join(root, 'nothing')])).rejects.toThrow(/has no stats\.safetensors/);
  });

  it('refuses a run compared with itself: the same directory, or a copy of it', async () => {
    const a = join(root, 'a');
    await expect(compareRuns([a, `${a}/`])).rejects.toThrow(
      `${a} and ${a}/ are the same run: compare needs different runs`,
    );
    const copy = join(root, 'a-copy');
    await cp(a, copy, { recursive: true });
    await expect(compareRuns([a, copy])).rejects.toThrow(
      `${a} and ${copy} hold the same stats.safetensors (one SHA-256): a run compared with itself`,
    );
  });

  it('refuses statistics their record does not vouch for: changed, truncated, or left from an earlier record stage', async () => {
    const b = join(root, 'b');
    for (const damage of ['changed', 'truncated', 'stale'] as const) {
      const dir = join(root, `damaged-${damage}`);
      await cp(join(root, 'a'), dir, { recursive: true });
      const stats = join(dir, RUN_FILES.stats);
      if (damage === 'changed') await cp(join(root, 'c', RUN_FILES.stats), stats);
      if (damage === 'truncated') await truncate(stats, 200);
      if (damage === 'stale') {
        const run = pairedActivations(60, 8, [], 7);
        await writeActivations(join(dir, RUN_FILES.activations), {
          resid: { sites: SITES, ...run },
          configHash: 'x',
        });
        await recordStage(dir, 'record', [], [RUN_FILES.activations]);
      }
      await expect(compareRuns([dir, b]), damage).rejects.toThrow(
        damage === 'stale'
          ? `${join(dir, 'stages/stats.json')} is stale`
          : `${stats} is not the file the stats stage wrote`,
      );
    }
  });
});

describe('spearmanPermutationNull', () => {
  it('gives the random-ranking spread ≈ 1.645/√(M−1) at 95 %, and identical vectors beat it', () => {
    const rng = stream(4, 'test/values');
    const a = Float64Array.from({ length: 2000 }, () => rng.float());
    const b = Float64Array.from({ length: 2000 }, () => rng.float());
    const nullStream = () => stream(1, 'test/spearman-null');
    const nul = spearmanPermutationNull(a, b, 400, nullStream());
    expect(nul.q95).toBeGreaterThan(0.6 * (1.645 / Math.sqrt(1999)));
    expect(nul.q95).toBeLessThan(1.4 * (1.645 / Math.sqrt(1999)));
    expect(spearmanPermutationNull(a, b, 400, nullStream())).toEqual(nul);
    expect(spearman(a, a)).toBe(1);
    expect(() => spearmanPermutationNull(a, b.subarray(1), 10, nullStream())).toThrow(/lengths differ/);
    expect(() => spearmanPermutationNull(a, b, 0, nullStream())).toThrow(/draws must be a positive integer/);
  });
});
