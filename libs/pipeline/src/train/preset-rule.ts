/** What every preset shares: the phase type and the learning-rate rule. */
import type { TrainSpecInput } from './spec.js';

export const PRESET_NAMES = ['smoke', 'quick', 'paper'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export type Phase = TrainSpecInput['phases'][number];

/**
 * The learning-rate rule of every quick preset: each phase's rate is written for the width the
 * preset was first tuned at, and a model of width D trains at lr × (reference / D)^1.5. Measured
 * one factor at a time on the lookup phases at D 64–256 (docs/method.md §3; docs/lever-specs/).
 */
export const widthRule = (referenceWidth: number) => ({ referenceWidth, power: 1.5 });
