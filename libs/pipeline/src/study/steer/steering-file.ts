/**
 * `steering.json`: the unsteered run, every setting of the grid with its runs and summary, the
 * identity checks and Holm's family; and the summary the steer stage's record keeps.
 */
import type { LabelCounts } from '@memgen/analysis';
import type { familySite } from './config.js';
import type { Reliability } from './learn/reliability.js';
import type { SettingSpec } from './plan/ids.js';
import type { RunRole, SettingPlan } from './plan/setting-plan.js';
import type { AlphaZeroCheck } from './runs/alpha-zero.js';
import type { RunOutcome, SteeredRun } from './runs/runs.js';
import type { DirectionResult, HolmSummary, SettingSummary } from './runs/summary.js';

/** One setting: what it changed, its runs, and its summary fields (SettingSummary). */
export interface SteeringSetting extends SettingSummary, Omit<SettingPlan, 'runs'> {
  kind: SettingSpec['family']['kind'];
  /** Index of its family in steer.families. */
  family: number;
  /** α of add and scale settings; null for ablations. */
  alpha: number | null;
  site: ReturnType<typeof familySite>;
  /** The family's position ('asked' = the asked name's statements of each prompt). */
  position: SettingSpec['family']['position'];
  runs: Partial<Record<RunRole, SteeredRun>>;
  memToGen: DirectionResult | null;
  genToMem: DirectionResult | null;
}

export interface SteeringFile {
  config_hash: string;
  /** The pre-declared setting that cross-seed summaries compare. */
  primary: string;
  items: number;
  /** Drawn items left out because a learned direction's training member has the same prompt. */
  itemsLeftOut: number;
  capabilityItems: number;
  /** Mean over the capability items of the best answer-free heuristic's expected accuracy. */
  capabilityShortcutBaseline: number;
  /** Residual sites never steered (the embedding, when stats.excludeEmbedding). */
  excludedSites: string[];
  unsteered: RunOutcome;
  /** Each intervention path at its identity must reproduce the unsteered outputs. */
  alphaZero: { identicalOutputs: boolean; mismatches: number; checks: AlphaZeroCheck[] };
  holm: HolmSummary;
  /** Per-item reliability of the pre-declared setting, when it is a learned direction. */
  reliability?: Reliability;
  settings: SteeringSetting[];
}

export interface SteerResult {
  settings: number;
  unsteered: LabelCounts;
  alphaZeroIdentical: boolean;
  primary: Pick<
    SettingSummary,
    'id' | 'mem_to_gen' | 'mem_to_gen_control' | 'gen_to_mem' | 'gen_to_mem_control'
  >;
  holmSurvivors: number;
}
