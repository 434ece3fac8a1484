/**
 * What planning a steering setting produces (./plan.ts, ./heads.ts, ./sublayers.ts) and the
 * calibration a sublayer setting may carry (./calibration.ts): types only, so that the planners and
 * the inputs they read can all name them.
 */
import type { Intervention } from '@memgen/model';
import type { DirectionCounts } from '../../patching/runs.js';
import type { SignedHead } from '../attention/config.js';
import type { SiteChoice } from '../learn/site-choice.js';
import type { HeadRef } from './ids.js';

/** The decode runs of a setting, by role. */
export type RunRole =
  | 'toMem'
  | 'toGen'
  | 'steered'
  | 'matched'
  | 'matchedToMem'
  | 'matchedToGen'
  | 'within'
  | 'layerMatched'
  | 'paper'
  | 'shuffledToMem'
  | 'shuffledToGen';

/** What the setting's operation on one sublayer did to the calibration pairs' first answer tokens. */
export interface CandidateCounts {
  hook: string;
  memToGen: DirectionCounts;
  genToMem: DirectionCounts;
}

/** A setting's calibration: the pairs it used, every candidate's counts, and the sublayers chosen. */
export interface SublayerCalibration {
  /** Pairs whose members' unsteered first tokens differ: the rows a switch can be read on. */
  pairsUsable: number;
  candidates: CandidateCounts[];
  toGen: string;
  toMem: string;
}

/**
 * What steering.json keeps of a learned direction or subspace (the vectors are in
 * directions.safetensors). For a subspace `norm` is the mean shift on the training members.
 */
export interface LearnedMeta {
  hook: string;
  /** α's unit: the site's mean activation norm over the training members. */
  unit: number;
  /** L2 norm of the full learned vectors (α · unit). */
  norm: number;
  /** Training pairs learned on. */
  pairs: number;
  /** The candidate sites' scores when the site was calibrated; null for a fixed site. */
  choice: SiteChoice | null;
  /** A das setting's subspace dimension; absent for a direction. */
  rank?: number;
  /** A das setting's fit: training members its interchange with the partner moved, per direction. */
  interchange?: { memToGen: DirectionCounts; genToMem: DirectionCounts };
}

/** A head-scale setting's calibration: every head's counts (`hook` holds its name, e.g. b1h0) and the heads chosen. */
export interface HeadCalibration {
  /** Pairs whose members' unsteered first tokens differ. */
  pairsUsable: number;
  candidates: CandidateCounts[];
  toGen: HeadRef[];
  toMem: HeadRef[];
}

/** An attention setting's calibration: every candidate's counts (`hook` = its name, e.g. b1h0+) and the choice. */
export interface AttentionCalibration {
  pairsUsable: number;
  candidates: CandidateCounts[];
  toGen: SignedHead[];
  toMem: SignedHead[];
}

export interface SettingPlan {
  /** Toward-mem and toward-gen runs (true), or one run read both ways (false). */
  directed: boolean;
  /** Coordinates the targeted run changes (heads: heads × head width). */
  coordinates: number;
  /** L2 norm of the targeted shift and of the matched control's (add only). */
  l2Norm: number | null;
  controlL2Norm: number | null;
  /** m of the paper's control: the largest |targeted shift| (add only). */
  maxShift: number | null;
  /**
   * Head ablation: the targeted and the control heads, as `b{block}h{head}`; sublayer ablation: the
   * toward-gen and toward-mem sublayers and their controls, as hook names.
   */
  heads: string[] | null;
  controlHeads: string[] | null;
  /** Learned-direction settings: where, at what norm, and how the site was chosen. */
  learned?: LearnedMeta;
  /** Calibrated head-scale settings: how each head did on the training split, and the heads chosen. */
  headCalibration?: HeadCalibration;
  /** Calibrated attention settings: how each signed head did on the training split, and the choice. */
  attentionCalibration?: AttentionCalibration;
  /** Calibrated sublayer settings: how each candidate sublayer did on the pairs, and the choice. */
  calibration?: SublayerCalibration;
  runs: Partial<Record<RunRole, Intervention[]>>;
}

/**
 * The plan fields of a learned setting (direction or subspace): directed runs, `coordinates`
 * changed, the targeted shift's norm (the matched control's too), no heads or paper control.
 */
export function learnedPlanBase(coordinates: number, l2Norm: number, learned: LearnedMeta) {
  return {
    directed: true,
    coordinates,
    l2Norm,
    controlL2Norm: l2Norm,
    maxShift: null,
    heads: null,
    controlHeads: null,
    learned,
  };
}
