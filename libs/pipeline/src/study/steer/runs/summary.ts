/**
 * A steering setting's numbers: Mem→Gen (originally-mem items answering gen under the toward-gen
 * run, or the one run of an undirected setting) and Gen→Mem likewise, each beside its matched
 * control with an exact paired (McNemar) p-value — both runs decode the same items — and beside the
 * within-selection and the paper's controls; then Holm's correction over every p of the grid.
 */
import type { BehaviourLabel, SwitchComparison, TransitionIntervals } from '@memgen/analysis';
import { holm } from '@memgen/analysis';
import type { RunRole } from '../plan/setting-plan.js';
import { type DecodedRun, type SteeredRun, switchVersusControl } from './runs.js';

/** Significance level of the Holm-corrected calls. */
export const HOLM_LEVEL = 0.05;

export type SwitchDirection = 'mem_to_gen' | 'gen_to_mem';

/** Which runs one direction reads, and the targeted run's comparison with each control. */
export interface DirectionResult {
  targeted: RunRole;
  matched: RunRole;
  within: RunRole | null;
  /** The layer-matched control of an add selection by |r|. */
  layer: RunRole | null;
  paper: RunRole | null;
  /** The shuffled-label control of a learned direction. */
  shuffled: RunRole | null;
  vsMatched: SwitchComparison;
  vsWithin: SwitchComparison | null;
  vsLayer: SwitchComparison | null;
  vsPaper: SwitchComparison | null;
  vsShuffled: SwitchComparison | null;
}

type Interval = [number, number] | null;

/**
 * The flat summary of a setting (rates as fractions; null where no item had the original label).
 * `*_control` is the matched control; `capability` the lowest rule accuracy of the targeted runs.
 */
export interface SettingSummary {
  id: string;
  mem_to_gen: number | null;
  mem_to_gen_control: number | null;
  mem_to_gen_within_control: number | null;
  /** The layer-matched control of an add selection by |r| (null for other settings; absent in older files). */
  mem_to_gen_layer_control?: number | null;
  mem_to_gen_paper_control: number | null;
  /** The shuffled-label control of a learned direction (null for other families). */
  mem_to_gen_shuffled_control: number | null;
  /** Originally-mem items that answer neither under the targeted run. */
  mem_to_gen_other: number | null;
  mem_to_gen_ci: Interval;
  mem_to_gen_control_ci: Interval;
  mem_to_gen_paper_control_ci: Interval;
  /** Exact paired p of targeted vs matched control, before and after Holm. */
  p_mem_to_gen: number | null;
  holm_p_mem_to_gen: number | null;
  /** Holm p ≤ 0.05 and the targeted rate above the matched control's. */
  survives_holm_mem_to_gen: boolean;
  gen_to_mem: number | null;
  gen_to_mem_control: number | null;
  gen_to_mem_within_control: number | null;
  gen_to_mem_layer_control?: number | null;
  gen_to_mem_paper_control: number | null;
  gen_to_mem_shuffled_control: number | null;
  gen_to_mem_other: number | null;
  gen_to_mem_ci: Interval;
  gen_to_mem_control_ci: Interval;
  gen_to_mem_paper_control_ci: Interval;
  p_gen_to_mem: number | null;
  holm_p_gen_to_mem: number | null;
  survives_holm_gen_to_mem: boolean;
  capability: number;
  capability_control: number;
  capability_unsteered: number;
}

/** Roles per direction: directed settings read their own run, undirected ones the single run. */
function rolesOf(roles: readonly RunRole[], from: 'mem' | 'gen') {
  const directed = roles.includes('toMem');
  const matched: RunRole = roles.includes('matchedToMem')
    ? from === 'mem'
      ? 'matchedToGen'
      : 'matchedToMem'
    : 'matched';
  return {
    targeted: (directed ? (from === 'mem' ? 'toGen' : 'toMem') : 'steered') as RunRole,
    matched,
    within: roles.includes('within') ? ('within' as const) : null,
    layer: roles.includes('layerMatched') ? ('layerMatched' as const) : null,
    paper: roles.includes('paper') ? ('paper' as const) : null,
    shuffled: roles.includes('shuffledToGen')
      ? ((from === 'mem' ? 'shuffledToGen' : 'shuffledToMem') as RunRole)
      : null,
  };
}

/** The direction's runs and comparisons; null when no item had the label `from` unsteered. */
export function directionResult(
  before: BehaviourLabel[],
  decoded: Partial<Record<RunRole, DecodedRun>>,
  from: 'mem' | 'gen',
): DirectionResult | null {
  const r = rolesOf(Object.keys(decoded) as RunRole[], from);
  const labels = (role: RunRole) => decoded[role]!.labels;
  const vs = (role: RunRole | null) =>
    role ? switchVersusControl(before, labels(r.targeted), labels(role), from) : null;
  const vsMatched = vs(r.matched);
  if (!vsMatched) return null;
  return {
    ...r,
    vsMatched,
    vsWithin: vs(r.within),
    vsLayer: vs(r.layer),
    vsPaper: vs(r.paper),
    vsShuffled: vs(r.shuffled),
  };
}

function ci(group: TransitionIntervals, to: BehaviourLabel): Interval {
  return group ? [group[to].lower, group[to].upper] : null;
}

function directionFields(
  runs: Partial<Record<RunRole, SteeredRun>>,
  d: DirectionResult | null,
  from: 'mem' | 'gen',
) {
  const to = from === 'mem' ? 'gen' : 'mem';
  const group = (role: RunRole | null) => {
    const run = role ? runs[role] : undefined;
    return run ? (from === 'mem' ? run.intervals.fromMem : run.intervals.fromGen) : null;
  };
  const table = d ? runs[d.targeted]!.table : null;
  return {
    rate: d?.vsMatched.targetedRate ?? null,
    control: d?.vsMatched.randomRate ?? null,
    within: d?.vsWithin?.randomRate ?? null,
    layer: d?.vsLayer?.randomRate ?? null,
    paper: d?.vsPaper?.randomRate ?? null,
    shuffled: d?.vsShuffled?.randomRate ?? null,
    other: (from === 'mem' ? table?.fromMem : table?.fromGen)?.rates?.other ?? null,
    ci: d ? ci(group(d.targeted), to) : null,
    controlCi: d ? ci(group(d.matched), to) : null,
    paperCi: d ? ci(group(d.paper), to) : null,
    p: d?.vsMatched.pairedPValue ?? null,
  };
}

/** The flat fields of a setting, Holm fields left for {@link applyHolm}. */
export function settingSummary(
  id: string,
  runs: Partial<Record<RunRole, SteeredRun>>,
  memToGen: DirectionResult | null,
  genToMem: DirectionResult | null,
  capabilityUnsteered: number,
): SettingSummary {
  const m = directionFields(runs, memToGen, 'mem');
  const g = directionFields(runs, genToMem, 'gen');
  const capabilityOf = (roles: RunRole[]) =>
    Math.min(...roles.filter((r) => runs[r]).map((r) => runs[r]!.capabilityAccuracy));
  const targeted: RunRole[] = runs.toMem ? ['toMem', 'toGen'] : ['steered'];
  const controls: RunRole[] = runs.matchedToMem ? ['matchedToMem', 'matchedToGen'] : ['matched'];
  return {
    id,
    ...{ mem_to_gen: m.rate, mem_to_gen_control: m.control, mem_to_gen_within_control: m.within },
    ...{ mem_to_gen_layer_control: m.layer, gen_to_mem_layer_control: g.layer },
    ...{ mem_to_gen_paper_control: m.paper, mem_to_gen_other: m.other, mem_to_gen_ci: m.ci },
    ...{ mem_to_gen_control_ci: m.controlCi, mem_to_gen_paper_control_ci: m.paperCi, p_mem_to_gen: m.p },
    ...{ mem_to_gen_shuffled_control: m.shuffled, holm_p_mem_to_gen: null, survives_holm_mem_to_gen: false },
    ...{ gen_to_mem: g.rate, gen_to_mem_control: g.control, gen_to_mem_within_control: g.within },
    ...{ gen_to_mem_paper_control: g.paper, gen_to_mem_other: g.other, gen_to_mem_ci: g.ci },
    ...{ gen_to_mem_control_ci: g.controlCi, gen_to_mem_paper_control_ci: g.paperCi, p_gen_to_mem: g.p },
    ...{ gen_to_mem_shuffled_control: g.shuffled, holm_p_gen_to_mem: null, survives_holm_gen_to_mem: false },
    capability: capabilityOf(targeted),
    capability_control: capabilityOf(controls),
    capability_unsteered: capabilityUnsteered,
  };
}

/** The grid's Holm family: its size and the (setting, direction) pairs that survive. */
export interface HolmSummary {
  level: number;
  tests: number;
  surviving: { id: string; direction: SwitchDirection }[];
}

/**
 * Holm over every p of the grid (all settings × both directions that have a rate), written into
 * each summary's holm_p_* and survives_holm_* fields.
 */
export function applyHolm(settings: SettingSummary[]): HolmSummary {
  const tests: { s: SettingSummary; direction: SwitchDirection; p: number }[] = [];
  for (const s of settings) {
    if (s.p_mem_to_gen !== null) tests.push({ s, direction: 'mem_to_gen', p: s.p_mem_to_gen });
    if (s.p_gen_to_mem !== null) tests.push({ s, direction: 'gen_to_mem', p: s.p_gen_to_mem });
  }
  const adjusted = holm(tests.map((t) => t.p));
  const surviving: HolmSummary['surviving'] = [];
  tests.forEach(({ s, direction }, k) => {
    const p = adjusted[k]!;
    const above = (s[direction] ?? 0) > (s[`${direction}_control`] ?? 0);
    const survives = p <= HOLM_LEVEL && above;
    if (direction === 'mem_to_gen')
      Object.assign(s, { holm_p_mem_to_gen: p, survives_holm_mem_to_gen: survives });
    else Object.assign(s, { holm_p_gen_to_mem: p, survives_holm_gen_to_mem: survives });
    if (survives) surviving.push({ id: s.id, direction });
  });
  return { level: HOLM_LEVEL, tests: tests.length, surviving };
}
