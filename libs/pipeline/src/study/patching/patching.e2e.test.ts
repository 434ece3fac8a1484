/**
 * The patching stage on the nano fixture: every site patched, own-activation patches change nothing,
 * the final residual patched in full reproduces the partner's first answer token, the top-N sets are
 * the site's largest |r|, and the report shows the map.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coordinateMeans, rankCoordinates } from '@memgen/analysis';
import { readJson } from '@memgen/common';
import { loadCheckpoint } from '@memgen/model';
import { tokenizerFromJSON } from '@memgen/tasks';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../stage.js';
import { fixtureRunSpec, fixtureTrain } from '../common/test-fixture.js';
import { readPairs } from '../pairs/pairs-file.js';
import { readActivations } from '../record/activations-file.js';
import { runStudy } from '../run.js';
import { RUN_FILES } from '../run-dir.js';
import { readStatistics } from '../stats/stats-file.js';
import { recordClassMeans } from './runs.js';
import type { PatchingFile } from './stage.js';

let dir: string;
let patching: PatchingFile;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'memgen-patching-'));
  await runStudy(fixtureRunSpec(), quietContext(dir), { train: fixtureTrain });
  patching = await readJson<PatchingFile>(file(RUN_FILES.patching));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('activation patching on a nano model (2 blocks, 2 heads)', () => {
  it('patches every site of every block, then the top-N and random-N sets of each recorded site', () => {
    const full = ['attn.z#h0', 'attn.z#h1', 'attn.out', 'mlp.out', 'resid_post'];
    const sets = ['top1', 'random1', 'top4', 'random4'];
    expect(patching.sites.map((s) => s.id)).toEqual([
      'embed',
      ...[0, 1].flatMap((b) => full.map((x) => `blocks.${b}.${x}`)),
      // The embedding row is excluded from the statistics' rankings (stats.excludeEmbedding).
      ...[0, 1].flatMap((b) => sets.map((x) => `blocks.${b}.resid_post@${x}`)),
      ...[0, 1].flatMap((b) =>
        ['attn.out', 'mlp.out', 'resid_post'].flatMap((x) =>
          ['class-mean', 'own-mean'].map((m) => `blocks.${b}.${x}@${m}`),
        ),
      ),
      ...['asked', 'others', 'story'].flatMap((span) =>
        [
          'embed',
          ...[0, 1].flatMap((b) => ['attn.out', 'mlp.out', 'resid_post'].map((x) => `blocks.${b}.${x}`)),
        ].map((h) => `${h}@${span}`),
      ),
    ]);
    expect([patching.spans, patching.spansLeftOut]).toEqual([['asked', 'others', 'story'], null]);
    expect(patching.pairsPatched).toBe(16);
    expect(patching.pairsUsable).toBeGreaterThan(0);
    for (const s of patching.sites) {
      for (const d of [s.memToGen, s.genToMem]) {
        expect(d.n).toBe(patching.pairsUsable);
        expect(d.switched + d.kept + d.other).toBe(d.n);
        expect(d.interval[0]).toBeLessThanOrEqual(d.rate);
        expect(d.interval[1]).toBeGreaterThanOrEqual(d.rate);
      }
    }
  });

  it("own-activation patches change nothing; the final residual in full gives the partner's answer", () => {
    expect(patching.selfPatchChanged).toBe(0);
    expect(patching.sites.every((s) => s.selfChanged === 0)).toBe(true);
    const last = patching.sites.find((s) => s.id === 'blocks.1.resid_post')!;
    expect(last.memToGen.switched).toBe(patching.pairsUsable);
    expect(last.genToMem.switched).toBe(patching.pairsUsable);
    // The embedding at the last position is the last token and its position: a color pair's members
    // end in the same question, so the partner's embedding is the member's own.
    const embed = patching.sites.find((s) => s.id === 'embed')!;
    expect(embed.memToGen.kept + embed.genToMem.kept).toBe(2 * patching.pairsUsable);
  });

  it("every prompt position from the partner, at the embedding or a residual stream, gives the partner's answer", () => {
    for (const hook of ['embed', 'blocks.0.resid_post', 'blocks.1.resid_post']) {
      const story = patching.sites.find((s) => s.id === `${hook}@story`)!;
      expect([story.memToGen.switched, story.genToMem.switched], hook).toEqual([
        patching.pairsUsable,
        patching.pairsUsable,
      ]);
    }
    // The asked name's statements are moved, not removed: at the embedding only their positions change.
    const asked = patching.sites.find((s) => s.id === 'embed@asked')!;
    expect(asked.span).toBe('asked');
  });

  it("the top-N sets are the site's largest |r|; the random sets are as many other coordinates", async () => {
    const stats = await readStatistics(file(RUN_FILES.stats));
    const { r, sites } = stats.resid;
    for (const [s, hook] of sites.entries()) {
      if (hook === 'embed') continue;
      const row = { values: r.values.subarray(s * r.width, (s + 1) * r.width), sites: 1, width: r.width };
      const order = Array.from(rankCoordinates(row));
      const top4 = patching.sites.find((x) => x.id === `${hook}@top4`)!;
      expect(top4.coords).toEqual(order.slice(0, 4));
      const random4 = patching.sites.find((x) => x.id === `${hook}@random4`)!;
      expect(random4.size).toBe(4);
      expect(new Set(random4.coords).size).toBe(4);
      expect(random4.coords!.every((c) => c >= 0 && c < r.width)).toBe(true);
    }
  });

  it("the class means it patches in are the means of the record stage's activations", async () => {
    const acts = await readActivations(file(RUN_FILES.activations));
    const loaded = await loadCheckpoint(file(RUN_FILES.checkpoint));
    try {
      const pairs = await readPairs(file(RUN_FILES.pairs));
      const hooks = ['blocks.0.resid_post', 'blocks.1.resid_post'];
      const padId = tokenizerFromJSON(loaded.tokenizer!).padId;
      const means = recordClassMeans(loaded.model, padId, pairs, hooks, 5);
      const { sites, width } = { sites: acts.resid.sites, width: acts.resid.mem.width };
      for (const hook of hooks) {
        const s = sites.indexOf(hook);
        for (const [cls, set] of [
          ['mem', acts.resid.mem],
          ['gen', acts.resid.gen],
        ] as const) {
          const recorded = coordinateMeans(set).values.subarray(s * width, (s + 1) * width);
          const ours = means.get(hook)![cls];
          for (let j = 0; j < width; j++) expect(ours[j]).toBeCloseTo(recorded[j]!, 5);
        }
      }
    } finally {
      loaded.model.dispose();
    }
  });

  it('the report shows the patching map and its table; results.json has the per-site rates', async () => {
    const report = await readFile(file(RUN_FILES.report), 'utf8');
    expect(report).toContain('## Activation patching');
    expect(report).toContain('figures/patching-map.png');
    expect(existsSync(file('figures/patching-map.svg'))).toBe(true);
    const results = await readJson<{
      patching: { pairs: number; sites: { id: string; mem_to_gen: number }[] };
    }>(file(RUN_FILES.results));
    expect(results.patching.pairs).toBe(patching.pairsUsable);
    expect(results.patching.sites.find((s) => s.id === 'blocks.1.resid_post')?.mem_to_gen).toBe(1);
  });
});
