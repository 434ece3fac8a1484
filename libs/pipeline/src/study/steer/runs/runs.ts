/**
 * The steering set decoded under a list of interventions: fresh conflict items (labelled mem /
 * gen / other) and ordinary rule items (the capability control), in one batch of requests.
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
  transitionTable,
} from '@memgen/analysis';
import { type Intervention, withInterventions } from '@memgen/model';
import { type Stream, stream } from '@memgen/common';
import { type DecodeRequest, decodeRequests } from '../../common/decoding.js';
import type { StudyModel, StudySpec } from '../../common/study-model.js';

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

/** A run's outcome with the per-item labels and raw texts it came from. */
export interface DecodedRun {
  outcome: RunOutcome;
  labels: BehaviourLabel[];
  texts: string[];
}

export interface SteeringRuns {
  items: number;
  /** Drawn items left out because a training member has the same prompt. */
  itemsLeftOut: number;
  capabilityItems: number;
  /** Mean over the capability items of the best answer-free heuristic's expected accuracy. */
  capabilityShortcutBaseline: number;
  /** Decodes the whole set with `interventions` attached (none = the unsteered run). */
  decode(interventions: readonly Intervention[]): DecodedRun;
}

const CODE: Record<BehaviourLabel, string> = { mem: 'm', gen: 'g', other: 'o' };

/**
 * Draws the steering set (seeded) and returns its decoder. Drawn items whose prompt is in
 * `leaveOut` (the training split's members) are left out, so the set stays disjoint from it.
 */
export function steeringRuns(spec: StudySpec, opened: StudyModel, leaveOut?: ReadonlySet<string>): SteeringRuns {
  const { model, tokenizer, task } = opened;
  const cfg = spec.study.steer;
  const itemRng = stream(spec.study.seed, 'study.steer.items');
  const drawn = Array.from({ length: cfg.items }, () => task.conflict(itemRng));
  const items = leaveOut ? drawn.filter((c) => !leaveOut.has(c.prompt)) : drawn;
  const ruleRng = stream(spec.study.seed, 'study.steer.capability');
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
  const decode = (interventions: readonly Intervention[]): DecodedRun => {
    const out = withInterventions(model, [...interventions], () =>
      decodeRequests(model, tokenizer, requests, settings),
    );
    const labels = items.map((c, i) => task.label(c, out.texts[i]!));
    const correct = rules.filter((r, k) => task.answerOf(out.texts[items.length + k]!) === r.answer).length;
    const outcome: RunOutcome = {
      labels: labels.map((l) => CODE[l]).join(''),
      counts: countLabels(labels),
      capabilityAccuracy: correct / rules.length,
    };
    return { outcome, labels, texts: out.texts };
  };
  return {
    items: items.length,
    itemsLeftOut: drawn.length - items.length,
    capabilityItems: rules.length,
    capabilityShortcutBaseline: rules.reduce((a, r) => a + r.shortcutBaseline, 0) / rules.length,
    decode,
  };
}

/** A steered run beside the unsteered labels: its transition table and bootstrap intervals. */
export function steeredRun(
  before: BehaviourLabel[],
  run: DecodedRun,
  resamples: number,
  bootstrap: Stream,
): SteeredRun {
  return {
    ...run.outcome,
    table: transitionTable(before, run.labels),
    intervals: bootstrapTransitions(before, run.labels, bootstrap, { resamples }),
  };
}

/** Switch rate from→to under `targeted` vs `random`; null when no item was `from` unsteered. */
export function switchVersusControl(
  before: BehaviourLabel[],
  targeted: BehaviourLabel[],
  random: BehaviourLabel[],
  from: 'mem' | 'gen',
): SwitchComparison | null {
  return before.includes(from)
    ? compareSwitchRates(before, targeted, random, from, from === 'mem' ? 'gen' : 'mem')
    : null;
}
