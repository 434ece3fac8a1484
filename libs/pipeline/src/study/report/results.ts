/**
 * results.json: the report's key numbers in machine-readable form (for `memgen compare`, dashboards
 * and the README), each effect beside its control.
 */
import { referenceNumbers } from '../common/paper.js';
import type { PatchingFile } from '../patching/stage.js';
import { probeBeatsShuffled } from '../probes/report.js';
import type { SteeringFile, SteeringSetting } from '../steer/steering-file.js';
import type { ReportInputs } from './inputs.js';

/** The pre-declared setting (steer.primary): the one compared with the paper and across seeds. */
export function primarySetting(steering: SteeringFile | null): SteeringSetting | null {
  return steering?.settings.find((s) => s.id === steering.primary) ?? null;
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

/** A setting's flat summary (SettingSummary) and what it changed; no per-run tables. */
function settingResult(s: SteeringSetting) {
  const { runs: _runs, memToGen: _m, genToMem: _g, ...flat } = s;
  return flat;
}

function steeringSummary(inp: ReportInputs) {
  const steering = inp.steering;
  if (!steering) return null;
  return {
    primary: steering.primary,
    unsteered: steering.unsteered.counts,
    capabilityUnsteered: steering.unsteered.capabilityAccuracy,
    capabilityShortcutBaseline: steering.capabilityShortcutBaseline,
    holm: steering.holm,
    ...(steering.reliability ? { reliability: steering.reliability } : {}),
    settings: steering.settings.map(settingResult),
  };
}

/** Per site: the switch rates (fractions) in both directions, with the pairs they are over. */
function patchingSummary(patching: PatchingFile | null) {
  if (!patching) return null;
  return {
    pairs: patching.pairsUsable,
    sites: patching.sites.map((s) => ({
      id: s.id,
      component: s.component,
      layer: s.layer,
      head: s.head,
      selection: s.selection,
      size: s.size,
      mem_to_gen: s.memToGen.rate,
      mem_to_gen_ci: s.memToGen.interval,
      gen_to_mem: s.genToMem.rate,
      gen_to_mem_ci: s.genToMem.interval,
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
    patching: patchingSummary(inp.patching),
    consistency: consistencySummary(inp),
    paper: inp.pairs ? referenceNumbers(inp.pairs.task.name) : null,
  };
}

export type StudyResults = ReturnType<typeof buildResults>;
