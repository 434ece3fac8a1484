/**
 * results.json: the report's key numbers in machine-readable form (for `memgen compare`, dashboards
 * and the README), each effect beside its control.
 */
import type { SteeringSetting } from '../steer.js';
import type { ReportInputs } from './inputs.js';
import { referenceNumbers } from './paper.js';
import { probeBeatsShuffled } from './verdicts.js';

/** The steering setting the paper comparison uses, and how it was chosen. */
export interface ChosenSetting {
  setting: SteeringSetting;
  /** 'paper' = α = 5 × NMD, top 5 % (the paper's largest); 'largest' = the grid's max Mem→Gen. */
  how: 'paper' | 'largest';
}

export function chooseSetting(settings: readonly SteeringSetting[]): ChosenSetting | null {
  const paper = settings.find((s) => s.unit === 'nmd' && s.alpha === 5 && s.topFraction === 0.05);
  if (paper) return { setting: paper, how: 'paper' };
  const withRate = settings.filter((s) => s.memToGen !== null);
  if (withRate.length === 0) return settings[0] ? { setting: settings[0], how: 'largest' } : null;
  const best = withRate.reduce((a, b) => (b.memToGen!.targetedRate > a.memToGen!.targetedRate ? b : a));
  return { setting: best, how: 'largest' };
}

function statsSummary(inp: ReportInputs) {
  const stats = inp.stats?.summary;
  if (!stats) return null;
  return {
    pairs: stats.pairs,
    noise: stats.resid.noise,
    meanAbsNmdBySite: Object.fromEntries(stats.resid.sites.map((s) => [s.site, s.meanAbsNmd])),
    maxAbsRBySite: Object.fromEntries(stats.resid.sites.map((s) => [s.site, s.maxAbsR])),
  };
}

function probesSummary(inp: ReportInputs) {
  const probes = inp.probes;
  if (!probes) return null;
  const bySite = probes.resid.raw.map((raw, s) => {
    const centred = probes.resid.centred[s]!;
    return {
      site: raw.site,
      raw: raw.mean,
      rawSd: raw.sd,
      shuffledRaw: probes.resid.shuffledRaw[s]!.mean,
      rawAboveShuffled: probeBeatsShuffled(raw, probes.resid.shuffledRaw[s]!),
      centred: centred.mean,
      centredSd: centred.sd,
      shuffledCentred: probes.resid.shuffledCentred[s]!.mean,
      centredAboveShuffled: probeBeatsShuffled(centred, probes.resid.shuffledCentred[s]!),
    };
  });
  return { chance: probes.chance, inputOnly: probes.inputOnly.mean, bySite };
}

function steeringSummary(inp: ReportInputs) {
  const steering = inp.steering;
  if (!steering) return null;
  return {
    unsteered: steering.unsteered.counts,
    capabilityUnsteered: steering.unsteered.capabilityAccuracy,
    capabilityShortcutBaseline: steering.capabilityShortcutBaseline,
    settings: steering.settings.map((s) => ({
      unit: s.unit,
      alpha: s.alpha,
      topFraction: s.topFraction,
      coordinates: s.coordinates,
      memToGen: s.memToGen,
      genToMem: s.genToMem,
      capability: {
        toMem: s.toMem.capabilityAccuracy,
        toGen: s.toGen.capabilityAccuracy,
        random: s.random.capabilityAccuracy,
      },
    })),
  };
}

function consistencySummary(inp: ReportInputs) {
  if (!inp.consistency) return null;
  return {
    spearmanNmd: inp.consistency.spearmanNmd.mean,
    dice: inp.consistency.dice.map((d) => ({
      topFraction: d.topFraction,
      meanDice: d.meanDice,
      meanExpectedRandom: d.meanExpectedRandom,
      meanRandom95: d.meanRandom95,
    })),
  };
}

/** results.json: the study's key figures from the artefacts of the current chain only. */
export function buildResults(inp: ReportInputs, reportHash: string, stoppedReason: string | null) {
  const stages = Object.fromEntries(
    Object.entries(inp.records).map(([name, r]) => [
      name,
      { config_hash: r?.config_hash ?? null, wall_s: inp.timings[name]?.wall_s ?? null },
    ]),
  );
  return {
    config_hash: reportHash,
    task: inp.pairs?.task ?? null,
    model: inp.model,
    seed: inp.spec.study.seed,
    train: inp.train,
    stopped: stoppedReason,
    stages,
    pairs: inp.pairs,
    stats: statsSummary(inp),
    probes: probesSummary(inp),
    steering: steeringSummary(inp),
    consistency: consistencySummary(inp),
    paper: inp.pairs ? referenceNumbers(inp.pairs.task.name) : null,
  };
}

export type StudyResults = ReturnType<typeof buildResults>;
