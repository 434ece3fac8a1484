/**
 * Everything the report reads from a run directory. An artefact is used only when its stage record
 * carries the hash the current spec gives that stage: a stage that did not run for this config
 * (e.g. statistics after too few pairs) is reported as missing, never with a stale file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, readJsonLines } from '@memgen/common';
import type { GPTConfig } from '@memgen/model';
import { assessChain, isUsable } from '../../chain/freshness.js';
import { readStageTiming, type StageRecord, type StageTiming } from '../../chain/records.js';
import type { StageDeclaration } from '../../registry/declaration.js';
import { RUN_DIR_FILES, runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { CONSISTENCY_FILES } from '../consistency/files.js';
import type { ConsistencyFile } from '../consistency/stage.js';
import type { PairsResult } from '../pairs/stage.js';
import { PATCHING_FILES } from '../patching/files.js';
import type { PatchingFile } from '../patching/stage.js';
import { PROBES_FILES } from '../probes/files.js';
import type { ProbesFile } from '../probes/stage.js';
import { STATS_FILES } from '../stats/files.js';
import type { StatsArtefacts } from '../stats/report.js';
import type { StatsResult } from '../stats/stage.js';
import { readStatistics } from '../stats/stats-file.js';
import { STEER_FILES } from '../steer/files.js';
import type { SteeringFile } from '../steer/steering-file.js';

/** One row of train/curve.jsonl: numeric fields only (step, loss, gen, mem, other, …). */
export type CurveRow = Record<string, number>;

export interface ModelInfo {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  vocabSize: number;
  /** The model's position encoding (a config without the field is GPT-2's learned table). */
  positions: 'learned' | 'rotary';
}

/** The trainer's train/summary.json: which checkpoint was kept and whether it showed rule skill. */
export interface TrainSummary {
  steps: number;
  selectedStep: number;
  /** Rule accuracy beat the shortcut baseline by the trainer's margin at the selected evaluation. */
  qualified: boolean;
}

export interface ReportInputs {
  spec: StudySpec;
  train: TrainSummary | null;
  /** runs/<id>/config.json's `config` (the run's resolved config), when present. */
  runConfig: unknown;
  model: ModelInfo | null;
  /** Records of the stages whose artefacts are this chain's (train included when present). */
  records: Partial<Record<string, StageRecord>>;
  /** Wall times of those stages, where they were recorded (not in a sweep). */
  timings: Partial<Record<string, StageTiming>>;
  pairs: PairsResult | null;
  stats: StatsArtefacts | null;
  probes: ProbesFile | null;
  steering: SteeringFile | null;
  patching: PatchingFile | null;
  consistency: ConsistencyFile | null;
  curve: CurveRow[] | null;
}

/**
 * Parses train/curve.jsonl, keeping numeric fields.
 * @throws Error naming the line of the first entry that is not a JSON object.
 */
export async function readCurve(path: string): Promise<CurveRow[]> {
  return (await readJsonLines(path)).map((value, i) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${path}:${i + 1}: expected a JSON object`);
    }
    const row: CurveRow = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) row[k] = v;
    return row;
  });
}

async function readModelInfo(runDir: string): Promise<ModelInfo | null> {
  const path = join(runDir, RUN_DIR_FILES.checkpoint, 'config.json');
  if (!existsSync(path)) return null;
  const cfg = (await readJson<{ memgen?: { config?: GPTConfig } }>(path)).memgen?.config;
  if (!cfg) return null;
  const { nLayer, nEmbd, nHead, vocabSize } = cfg;
  return { nLayer, nEmbd, nHead, vocabSize, positions: cfg.positions ?? 'learned' };
}

/** What the chain the report runs in (`chain`, in run order) has made current in `runDir`. */
export async function loadReportInputs(
  spec: StudySpec,
  runDir: string,
  chain: readonly StageDeclaration[],
): Promise<ReportInputs> {
  const records: ReportInputs['records'] = {};
  const timings: ReportInputs['timings'] = {};
  for (const [name, state] of await assessChain(chain, spec, runDir)) {
    if (name === 'report' || !isUsable(state) || !state.record) continue;
    records[name] = state.record;
    const timing = await readStageTiming(runDir, name);
    if (timing) timings[name] = timing;
  }
  const file = (name: string) => runPath(runDir, name);
  const configPath = file(RUN_DIR_FILES.config);
  const curvePath = file(RUN_DIR_FILES.curve);
  const summaryPath = file('train/summary.json');
  return {
    spec,
    train: existsSync(summaryPath) ? await readJson<TrainSummary>(summaryPath) : null,
    runConfig: existsSync(configPath) ? (await readJson<{ config?: unknown }>(configPath)).config : null,
    model: await readModelInfo(runDir),
    records,
    timings,
    pairs: (records.pairs?.result as PairsResult | undefined) ?? null,
    stats: records.stats
      ? {
          summary: records.stats.result as StatsResult,
          file: await readStatistics(file(STATS_FILES.stats)),
        }
      : null,
    probes: records.probes ? await readJson<ProbesFile>(file(PROBES_FILES.probes)) : null,
    steering: records.steer ? await readJson<SteeringFile>(file(STEER_FILES.steering)) : null,
    patching: records.patching ? await readJson<PatchingFile>(file(PATCHING_FILES.patching)) : null,
    consistency: records.consistency
      ? await readJson<ConsistencyFile>(file(CONSISTENCY_FILES.consistency))
      : null,
    curve: existsSync(curvePath) ? await readCurve(curvePath) : null,
  };
}
