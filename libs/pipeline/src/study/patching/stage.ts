/**
 * Stage `patching`: activation patching between the two members of each flipped pair. For every site
 * (./sites.ts) each member's last-position activation is replaced by its partner's, and the
 * stage counts how often the first answer token becomes the partner's — where in the network the
 * choice between remembering and reasoning is carried at that position. Patching with the member's
 * own activation must change nothing (the stage fails if it does). Mean sites patch in the class
 * means over the patched pairs (measured in a first pass). Writes patching.json.
 *
 * Span sites (color stories) patch at token spans instead: each member's activations at the
 * positions of some of its statements (or of the whole prompt) are replaced by its partner's at the
 * positions of the same statements, which differ between the two reorderings (./spans.ts).
 */
import { wilsonInterval } from '@memgen/analysis';
import { stream, writeJson } from '@memgen/common';
import { defineStudyStage } from '../../registry/declaration.js';
import { checkAborted, type StageContext } from '../../stage.js';
import { RUN_DIR_FILES, runPath } from '../common/run-dir.js';
import { modelRunConfig, openStudyModel, type StudyModel, type StudySpec } from '../common/study-model.js';
import { PAIRS_FILES } from '../pairs/files.js';
import { type PairLine, readPairs } from '../pairs/pairs-file.js';
import { STATS_FILES } from '../stats/files.js';
import { excludedSites, readStatistics, type StudyStatistics } from '../stats/stats-file.js';
import { PATCHING_FILES } from './files.js';
import { type DirectionCounts, emptyTally, patchBatch, recordClassMeans, type SiteTally } from './runs.js';
import { type PatchSite, patchSites, spanSites } from './sites.js';
import { patchSpanBatch } from './span-runs.js';
import type { SpanKind } from './spans.js';

/** One direction's counts over the usable pairs, with the switch rate and its 95 % Wilson interval. */
export interface PatchDirection extends DirectionCounts {
  n: number;
  /** switched / n */
  rate: number;
  interval: [number, number];
  /** other / n */
  otherRate: number;
}

export interface PatchSiteResult extends Omit<PatchSite, 'coords'> {
  /** The patched coordinates (null = all of them). */
  coords: number[] | null;
  /** Mem members given the gen member's activation: how often they answer the gen token. */
  memToGen: PatchDirection;
  genToMem: PatchDirection;
  selfChanged: number;
}

export interface PatchingFile {
  config_hash: string;
  /** Where sites patch: the last prompt position, and at span sites the span's positions. */
  position: 'last';
  /** Span kinds patched (sites with `span`), and why none were when spans were asked for. */
  spans: SpanKind[];
  spansLeftOut: string | null;
  /** Pairs read from pairs.jsonl (at most patching.maxPairs). */
  pairsPatched: number;
  /** Of those, pairs whose members' first answer tokens differ: the n of every rate. */
  pairsUsable: number;
  /** Sum of selfChanged over every site: 0, or the stage fails. */
  selfPatchChanged: number;
  sites: PatchSiteResult[];
}

export interface PatchingResult {
  sites: number;
  pairsUsable: number;
  /** The first block whose whole residual output switches both directions in ≥ half the pairs. */
  firstDecisiveResid: string | null;
}

function direction(c: DirectionCounts, n: number): PatchDirection {
  return {
    ...c,
    n,
    rate: n === 0 ? 0 : c.switched / n,
    interval: n === 0 ? [0, 1] : wilsonInterval(c.switched, n),
    otherRate: n === 0 ? 0 : c.other / n,
  };
}

function siteResult(site: PatchSite, t: SiteTally, n: number): PatchSiteResult {
  const { coords, ...rest } = site;
  return {
    ...rest,
    coords: coords === 'all' ? null : [...coords],
    memToGen: direction(t.memToGen, n),
    genToMem: direction(t.genToMem, n),
    selfChanged: t.selfChanged,
  };
}

/** Why span sites are left out for this task (null = they are patched). */
function spansLeftOutFor(task: string, asked: readonly SpanKind[]): string | null {
  return asked.length > 0 && task !== 'color'
    ? `task ${task}: its pairs are not reordered statements, so no token span has a partner`
    : null;
}

/** The pairs this stage patches and the sites it patches them at. */
interface PatchPlan {
  pairs: PairLine[];
  lastSites: PatchSite[];
  spanned: PatchSite[];
  spans: SpanKind[];
  spansLeftOut: string | null;
}

/** Patches every batch of the plan's pairs at every site; returns the tallies and the usable pairs. */
function patchAll(ctx: StageContext, opened: StudyModel, plan: PatchPlan, batchSize: number) {
  const { model, tokenizer } = opened;
  const { pairs, lastSites, spanned } = plan;
  const tallies = new Map<string, SiteTally>([...lastSites, ...spanned].map((s) => [s.id, emptyTally()]));
  const meanHooks = [...new Set(lastSites.filter((s) => s.selection.endsWith('-mean')).map((s) => s.hook))];
  const means =
    meanHooks.length > 0 ? recordClassMeans(model, tokenizer.padId, pairs, meanHooks, batchSize) : undefined;
  let usable = 0;
  for (let from = 0; from < pairs.length; from += batchSize) {
    checkAborted(ctx);
    const batch = pairs.slice(from, from + batchSize);
    usable += patchBatch(model, tokenizer.padId, batch, lastSites, tallies, means).usable;
    if (spanned.length > 0) patchSpanBatch(model, tokenizer, batch, spanned, tallies);
    ctx.progress({ stage: 'patching', done: from + batch.length, total: pairs.length });
  }
  return { tallies, usable };
}

/** The file's site results; throws when patching a member with its own activation changed its answer. */
function checkedResults(sites: readonly PatchSite[], tallies: Map<string, SiteTally>, usable: number) {
  const results = sites.map((s) => siteResult(s, tallies.get(s.id)!, usable));
  const changed = results.filter((r) => r.selfChanged > 0);
  if (changed.length > 0) {
    const list = changed.map((r) => `${r.id} (${r.selfChanged} rows)`).join(', ');
    throw new Error(`patching with a member's own activation changed its answer at ${list}`);
  }
  return results;
}

/** The sites to patch `pairs` at (the model gives their shapes, the statistics the top-N sets). */
function planSites(
  spec: StudySpec,
  opened: StudyModel,
  stats: StudyStatistics,
  pairs: PairLine[],
): PatchPlan {
  const cfg = spec.study.patching;
  const exclude = excludedSites(stats.resid.sites, spec.study.stats.excludeEmbedding).map(
    (s) => stats.resid.sites[s]!,
  );
  const { config } = opened.model;
  const lastSites = patchSites(config, stats, {
    ...cfg,
    exclude,
    stream: stream(spec.study.seed, 'patching'),
  });
  const spansLeftOut = spansLeftOutFor(opened.taskSpec.name, cfg.spans);
  const spans = spansLeftOut === null ? cfg.spans : [];
  return { pairs, lastSites, spanned: spanSites(config, spans), spans, spansLeftOut };
}

async function runPatching(spec: StudySpec, ctx: StageContext, hash: string): Promise<PatchingResult> {
  const cfg = spec.study.patching;
  const pairs = (await readPairs(runPath(ctx.runDir, PAIRS_FILES.pairs))).slice(0, cfg.maxPairs);
  if (pairs.length === 0) throw new Error(`${PAIRS_FILES.pairs} has no pairs: nothing to patch`);
  const stats = await readStatistics(runPath(ctx.runDir, STATS_FILES.stats));
  const opened = await openStudyModel(spec, ctx.runDir);
  try {
    const plan = planSites(spec, opened, stats, pairs);
    const { tallies, usable } = patchAll(ctx, opened, plan, cfg.batchSize);
    const results = checkedResults([...plan.lastSites, ...plan.spanned], tallies, usable);
    const file: PatchingFile = {
      config_hash: hash,
      position: 'last',
      spans: plan.spans,
      spansLeftOut: plan.spansLeftOut,
      pairsPatched: pairs.length,
      pairsUsable: usable,
      selfPatchChanged: 0,
      sites: results,
    };
    await writeJson(runPath(ctx.runDir, PATCHING_FILES.patching), file);
    const decisive = results.find(
      (r) =>
        r.component === 'resid_post' &&
        r.selection === 'full' &&
        r.memToGen.rate >= 0.5 &&
        r.genToMem.rate >= 0.5,
    );
    return { sites: results.length, pairsUsable: usable, firstDecisiveResid: decisive?.id ?? null };
  } finally {
    opened.dispose();
  }
}

export const patchingStage = defineStudyStage<PatchingResult>({
  name: 'patching',
  group: 'steering',
  upstream: ['train', 'pairs', 'stats'],
  reads: [`${RUN_DIR_FILES.checkpoint}/`, PAIRS_FILES.pairs, STATS_FILES.stats],
  outputs: [PATCHING_FILES.patching],
  config: (spec) => ({ patching: spec.study.patching, ...modelRunConfig(spec) }),
  run: runPatching,
  onChangedOutput: 'rerun',
});
