/**
 * Stage `steer` (SPEC §7): decode a fresh conflict set unsteered, then under every (unit, α, top-N)
 * setting three times — toward mem, toward gen, and a random control of the same size — at the last
 * position of every forward pass. Each run is also scored on ordinary rule items (capability
 * control). α = 0 must reproduce the unsteered outputs exactly; the stage fails if it does not.
 * Writes steering.json.
 */
import {
  type BehaviourLabel,
  bootstrapTransitions,
  compareSwitchRates,
  countLabels,
  type LabelCounts,
  type SwitchComparison,
  type TransitionIntervals,
  type TransitionTable,
  topNMask,
  transitionTable,
} from '@memgen/analysis';
import { writeJson } from '@memgen/common';
import { withInterventions } from '@memgen/model';
import { makeRng } from '@memgen/tasks';
import { defineStudyStage } from '../registry/declaration.js';
import { checkAborted, type StageContext } from '../stage.js';
import { type DecodeRequest, decodeRequests } from './decoding.js';
import { RUN_FILES, runPath } from './run-dir.js';
import { excludedSites, readStatistics } from './stats-file.js';
import {
  type AlphaUnit,
  type CoordinateShift,
  interventionsFor,
  maxAbsShift,
  randomShifts,
  targetedShifts,
} from './steering-vectors.js';
import type { StudySpec } from './study-model.js';
import { openStudyModel } from './study-model.js';

/** One decoded run of the steering set and the capability items. */
export interface RunOutcome {
  /** Per conflict item: 'm' mem, 'g' gen, 'o' other (compact, in item order). */
  labels: string;
  counts: LabelCounts;
  /** Fraction of rule items answered correctly. */
  capabilityAccuracy: number;
}

export interface SteeredRun extends RunOutcome {
  table: TransitionTable;
  intervals: { fromMem: TransitionIntervals; fromGen: TransitionIntervals };
}

export interface SteeringSetting {
  unit: AlphaUnit;
  alpha: number;
  topFraction: number;
  /** Coordinates shifted (top-N count; the random control shifts as many). */
  coordinates: number;
  /** m: the largest |targeted shift|, the half-width of the random shifts. */
  maxShift: number;
  toMem: SteeredRun;
  toGen: SteeredRun;
  random: SteeredRun;
  /** Mem→Gen under the gen-steered run vs the random run; null when no item was mem unsteered. */
  memToGen: SwitchComparison | null;
  /** Gen→Mem under the mem-steered run vs the random run; null when no item was gen unsteered. */
  genToMem: SwitchComparison | null;
}

export interface SteeringFile {
  config_hash: string;
  site: 'resid' | 'mlp.post';
  items: number;
  capabilityItems: number;
  /** Mean over the capability items of the best answer-free heuristic's expected accuracy. */
  capabilityShortcutBaseline: number;
  excludedSites: string[];
  unsteered: RunOutcome;
  /** α = 0 sanity check: targeted at α = 0 must reproduce the unsteered outputs. */
  alphaZero: { identicalOutputs: boolean; mismatches: number };
  settings: SteeringSetting[];
}

export interface SteerResult {
  settings: number;
  unsteered: LabelCounts;
  alphaZeroIdentical: boolean;
}

const CODE: Record<BehaviourLabel, string> = { mem: 'm', gen: 'g', other: 'o' };

async function runSteer(spec: StudySpec, ctx: StageContext, hash: string): Promise<SteerResult> {
  const cfg = spec.study.steer;
  const seed = spec.study.seed;
  const stats = await readStatistics(runPath(ctx.runDir, RUN_FILES.stats));
  const kind = cfg.site === 'resid' ? stats.resid : stats.mlpPost;
  if (!kind)
    throw new Error(`steering site '${cfg.site}' needs ${cfg.site} statistics in ${RUN_FILES.stats}`);
  const exclude = cfg.site === 'resid' ? excludedSites(kind.sites, spec.study.stats.excludeEmbedding) : [];
  const opened = await openStudyModel(spec, ctx.runDir);
  const { model, tokenizer, task } = opened;
  try {
    const itemRng = makeRng(seed, 'study.steer.items');
    const items = Array.from({ length: cfg.items }, () => task.conflict(itemRng));
    const ruleRng = makeRng(seed, 'study.steer.capability');
    const rules = Array.from({ length: cfg.capabilityItems }, () => task.ruleItem(ruleRng));
    const requests: DecodeRequest[] = [
      ...items.map((c) => ({ tokens: tokenizer.encode(c.prompt), targets: [c.gen_target, c.mem_target] })),
      ...rules.map((r) => ({ tokens: tokenizer.encode(r.prompt), targets: [r.target] })),
    ];
    const settings = {
      beamWidth: spec.study.pairs.beamWidth,
      maxNewTokens: spec.study.pairs.maxNewTokens,
      batchSize: cfg.batchSize,
    };
    const decodeWith = (shifts: readonly CoordinateShift[]) => {
      const ivs = interventionsFor(shifts, kind.sites, kind.nmd.width);
      const out = withInterventions(model, ivs, () => decodeRequests(model, tokenizer, requests, settings));
      const labels = items.map((c, i) => task.label(c, out.texts[i]!));
      let correct = 0;
      rules.forEach((r, k) => {
        if (task.answerOf(out.texts[items.length + k]!) === r.answer) correct++;
      });
      const outcome: RunOutcome = {
        labels: labels.map((l) => CODE[l]).join(''),
        counts: countLabels(labels),
        capabilityAccuracy: correct / rules.length,
      };
      return { outcome, labels, texts: out.texts };
    };
    const base = decodeWith([]);
    const before = base.labels;

    const firstFraction = cfg.topFractions[0]!;
    const firstSelection = topNMask(kind.r, firstFraction, { excludeSites: exclude }).coordinates;
    const zero = decodeWith(targetedShifts(firstSelection, kind.nmd, kind.sd, 'nmd', 0, 1));
    const mismatches = zero.texts.filter((t, i) => t !== base.texts[i]).length;
    if (mismatches > 0) {
      throw new Error(`steering with α = 0 changed ${mismatches} outputs: the intervention path is broken`);
    }

    const steered = (run: ReturnType<typeof decodeWith>, k: number): SteeredRun => ({
      ...run.outcome,
      table: transitionTable(before, run.labels),
      intervals: bootstrapTransitions(before, run.labels, { resamples: cfg.bootstrap, seed: seed + k }),
    });
    const compare = (targeted: BehaviourLabel[], random: BehaviourLabel[], from: BehaviourLabel) =>
      before.includes(from)
        ? compareSwitchRates(before, targeted, random, from, from === 'mem' ? 'gen' : 'mem')
        : null;
    const grid = (['nmd', 'sd'] as const).flatMap((unit) =>
      cfg.alphas[unit].flatMap((alpha) =>
        cfg.topFractions.map((topFraction) => ({ unit, alpha, topFraction })),
      ),
    );
    const results: SteeringSetting[] = [];
    for (const [k, g] of grid.entries()) {
      checkAborted(ctx);
      const selection = topNMask(kind.r, g.topFraction, { excludeSites: exclude }).coordinates;
      const toMemShifts = targetedShifts(selection, kind.nmd, kind.sd, g.unit, g.alpha, 1);
      const toGenShifts = targetedShifts(selection, kind.nmd, kind.sd, g.unit, g.alpha, -1);
      const m = maxAbsShift(toMemShifts);
      const randomRun = randomShifts(
        kind.nmd.sites,
        kind.nmd.width,
        exclude,
        selection.length,
        m,
        seed * 100_003 + k + 1,
      );
      const toMem = decodeWith(toMemShifts);
      const toGen = decodeWith(toGenShifts);
      const random = decodeWith(randomRun);
      results.push({
        ...g,
        coordinates: selection.length,
        maxShift: m,
        toMem: steered(toMem, 3 * k),
        toGen: steered(toGen, 3 * k + 1),
        random: steered(random, 3 * k + 2),
        memToGen: compare(toGen.labels, random.labels, 'mem'),
        genToMem: compare(toMem.labels, random.labels, 'gen'),
      });
      ctx.progress({
        stage: 'steer',
        done: k + 1,
        total: grid.length,
        detail: `${g.unit} α=${g.alpha} top ${(100 * g.topFraction).toFixed(0)} %`,
      });
    }
    const file: SteeringFile = {
      config_hash: hash,
      site: cfg.site,
      items: items.length,
      capabilityItems: rules.length,
      capabilityShortcutBaseline: rules.reduce((a, r) => a + r.shortcutBaseline, 0) / rules.length,
      excludedSites: exclude.map((s) => kind.sites[s]!),
      unsteered: base.outcome,
      alphaZero: { identicalOutputs: true, mismatches },
      settings: results,
    };
    await writeJson(runPath(ctx.runDir, RUN_FILES.steering), file);
    return { settings: results.length, unsteered: base.outcome.counts, alphaZeroIdentical: true };
  } finally {
    opened.dispose();
  }
}

export const steerStage = defineStudyStage<SteerResult>({
  name: 'steer',
  group: 'steering',
  upstream: ['train', 'stats'],
  reads: [`${RUN_FILES.checkpoint}/`, RUN_FILES.stats],
  outputs: [RUN_FILES.steering],
  config: (spec) => ({
    steer: spec.study.steer,
    seed: spec.study.seed,
    excludeEmbedding: spec.study.stats.excludeEmbedding,
    task: spec.task ?? null,
  }),
  run: runSteer,
  onChangedOutput: 'rerun',
});
