/**
 * Stage `probes` (docs/method.md §6): per-site L2 logistic probes predicting mem vs gen, folds split by pair,
 * on raw and within-pair-centred vectors, each beside its shuffled-label twin (same folds), an
 * input-only baseline (a probe on the prompt's bag of tokens) and a learning curve over training-set
 * sizes; and each site's within-pair-centred probe fitted on all pairs as a direction in activation
 * units (what 'probe' steering adds). Writes probes.json.
 */
import {
  type FeatureMatrix,
  type ProbeAccuracy,
  type ProbeOptions,
  probeDirection,
  probeFeatureMatrix,
  probeLearningCurve,
  probeSites,
  type SiteProbeResult,
} from '@memgen/analysis';
import { type Stream, stream, writeJson } from '@memgen/common';
import { defineStudyStage } from '../../registry/declaration.js';
import type { StageContext } from '../../stage.js';
import { runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { PAIRS_FILES } from '../pairs/files.js';
import { type PairLine, readPairs } from '../pairs/pairs-file.js';
import { type ActivationSet, readActivations } from '../record/activations-file.js';
import { RECORD_FILES } from '../record/files.js';
import { PROBES_FILES } from './files.js';

/** Held-out accuracy over the folds. */
export interface AccuracySummary {
  mean: number;
  /** Sample sd over folds. */
  sd: number;
  folds: number[];
  nonConvergedFolds: number;
}

export interface SiteAccuracy extends AccuracySummary {
  site: string;
}

/** One site's probe direction: ∂logit/∂activation [width] in raw units, positive toward mem. */
export interface SiteDirection {
  site: string;
  weights: number[];
  converged: boolean;
}

/** Probe directions per activation set (fitted on every pair, no folds). */
export interface ProbeDirections {
  centring: 'within-pair';
  C: number;
  resid: SiteDirection[];
  mlpPost: SiteDirection[] | null;
}

/** The four probes of one activation set, each a row per site. */
export interface ProbeFamily {
  raw: SiteAccuracy[];
  centred: SiteAccuracy[];
  shuffledRaw: SiteAccuracy[];
  shuffledCentred: SiteAccuracy[];
}

export interface ProbesFile {
  config_hash: string;
  pairs: number;
  folds: number;
  C: number;
  /** Accuracy of guessing: the classes are balanced (one mem, one gen member per pair). */
  chance: 0.5;
  resid: ProbeFamily;
  mlpPost: ProbeFamily | null;
  /** Probe on the bag of prompt tokens (counts per token id): what the input alone predicts. */
  inputOnly: AccuracySummary;
  /** Raw and centred probes on the first N pairs of one seeded order, N ascending (the last is all). */
  learningCurve: { pairs: number; raw: SiteAccuracy[]; centred: SiteAccuracy[] }[];
  /** Absent in files written before directions were kept. */
  directions?: ProbeDirections;
}

function directions(set: ActivationSet, C: number): SiteDirection[] {
  return set.sites.map((site, s) => {
    const d = probeDirection(set.mem, set.gen, s, { centring: 'within-pair', C });
    return { site, weights: Array.from(d.weights), converged: d.converged };
  });
}

function summary(a: ProbeAccuracy): AccuracySummary {
  return {
    mean: a.meanAccuracy,
    sd: a.sdAccuracy,
    folds: Array.from(a.foldAccuracies),
    nonConvergedFolds: a.nonConvergedFolds,
  };
}

function rows(results: SiteProbeResult[], sites: readonly string[]): SiteAccuracy[] {
  return results.map((r) => ({ site: sites[r.site]!, ...summary(r) }));
}

function family(set: ActivationSet, probes: Stream, options: ProbeOptions): ProbeFamily {
  const run = (centring: 'none' | 'within-pair', shuffleLabels: boolean) =>
    rows(probeSites(set.mem, set.gen, probes, { ...options, centring, shuffleLabels }), set.sites);
  return {
    raw: run('none', false),
    centred: run('within-pair', false),
    shuffledRaw: run('none', true),
    shuffledCentred: run('within-pair', true),
  };
}

/**
 * Bag-of-tokens features `[N, V]` (V = largest id + 1) for the mem and the gen members: counts of
 * each token id in the prompt.
 */
export function bagOfTokens(pairs: readonly PairLine[]): { mem: FeatureMatrix; gen: FeatureMatrix } {
  let cols = 1;
  for (const p of pairs) for (const t of [...p.mem.tokens, ...p.gen.tokens]) cols = Math.max(cols, t + 1);
  const build = (pick: (p: PairLine) => number[]): FeatureMatrix => {
    const data = new Float64Array(pairs.length * cols);
    pairs.forEach((p, i) => {
      for (const t of pick(p)) data[i * cols + t]! += 1;
    });
    return { data, rows: pairs.length, cols };
  };
  return { mem: build((p) => p.mem.tokens), gen: build((p) => p.gen.tokens) };
}

/** What the stage record keeps: the best site of each probe (probes.json has everything). */
export interface ProbesResult {
  pairs: number;
  bestRaw: SiteAccuracy;
  bestCentred: SiteAccuracy;
  inputOnly: number;
}

function best(list: SiteAccuracy[]): SiteAccuracy {
  return list.reduce((a, b) => (b.mean > a.mean ? b : a));
}

async function runProbes(spec: StudySpec, ctx: StageContext, hash: string): Promise<ProbesResult> {
  const cfg = spec.study.probes;
  const acts = await readActivations(runPath(ctx.runDir, RECORD_FILES.activations));
  const pairs = await readPairs(runPath(ctx.runDir, PAIRS_FILES.pairs));
  const n = acts.resid.mem.members;
  if (pairs.length !== n) {
    throw new Error(`${PAIRS_FILES.pairs} has ${pairs.length} pairs but activations hold ${n}`);
  }
  if (n < cfg.folds) throw new Error(`probes need at least ${cfg.folds} pairs (one per fold), got ${n}`);
  const options: ProbeOptions = { folds: cfg.folds, C: cfg.C };
  // Every probe derives its folds from this stream by name: probes of n pairs share their folds.
  const probes = stream(spec.study.seed, 'probes');
  const resid = family(acts.resid, probes, options);
  ctx.progress({ stage: 'probes', done: 1, total: 3 });
  const mlpPost = acts.mlpPost ? family(acts.mlpPost, probes, options) : null;
  const bag = bagOfTokens(pairs);
  const inputOnly = summary(probeFeatureMatrix(bag.mem, bag.gen, probes, options));
  ctx.progress({ stage: 'probes', done: 2, total: 3 });
  const counts = [...new Set(cfg.pairCounts)].filter((c) => c >= cfg.folds && c < n).sort((a, b) => a - b);
  const curve = (centring: 'none' | 'within-pair') =>
    probeLearningCurve(acts.resid.mem, acts.resid.gen, counts, probes, { ...options, centring });
  const rawCurve = curve('none');
  const centredCurve = curve('within-pair');
  const learningCurve = [
    ...counts.map((pairsUsed, k) => ({
      pairs: pairsUsed,
      raw: rows(rawCurve[k]!.sites, acts.resid.sites),
      centred: rows(centredCurve[k]!.sites, acts.resid.sites),
    })),
    { pairs: n, raw: resid.raw, centred: resid.centred },
  ];
  const file: ProbesFile = {
    config_hash: hash,
    pairs: n,
    folds: cfg.folds,
    C: cfg.C,
    chance: 0.5,
    resid,
    mlpPost,
    inputOnly,
    learningCurve,
    directions: {
      centring: 'within-pair',
      C: cfg.C,
      resid: directions(acts.resid, cfg.C),
      mlpPost: acts.mlpPost ? directions(acts.mlpPost, cfg.C) : null,
    },
  };
  await writeJson(runPath(ctx.runDir, PROBES_FILES.probes), file);
  for (const [centring, list] of [
    ['raw', resid.raw],
    ['centred', resid.centred],
  ] as const) {
    for (const r of list) ctx.metrics?.record({ kind: 'probe', site: r.site, centring, accuracy: r.mean });
  }
  return { pairs: n, bestRaw: best(resid.raw), bestCentred: best(resid.centred), inputOnly: inputOnly.mean };
}

export const probesStage = defineStudyStage<ProbesResult>({
  name: 'probes',
  group: 'fitting',
  upstream: ['pairs', 'record'],
  outputs: [PROBES_FILES.probes],
  // `directions` names the probe directions the file holds, so that files from before them rerun.
  config: (spec) => ({ probes: spec.study.probes, seed: spec.study.seed, directions: 'within-pair' }),
  run: runProbes,
  onChangedOutput: 'rerun',
});
