/**
 * Report sections for steering (SPEC §7 transition tables, each targeted run beside the random
 * control with bootstrap intervals and a paired test), the capability control, and consistency.
 */
import type { RateInterval, TransitionIntervals } from '@memgen/analysis';
import type { SteeringSetting } from '../steer.js';
import type { ReportInputs } from './inputs.js';
import { section, table } from './markdown.js';
import { type FigureIndex, fig } from './sections-measures.js';
import { EXACT_NOTE, num, pct, pValue, rateInterval, switchVerdict } from './verdicts.js';

export function settingLabel(s: Pick<SteeringSetting, 'unit' | 'alpha' | 'topFraction'>): string {
  return `α = ${s.alpha} × ${s.unit === 'nmd' ? 'NMD' : 'sd'}, top ${(100 * s.topFraction).toFixed(0)} %`;
}

function interval(group: TransitionIntervals, label: 'mem' | 'gen' | 'other', n: number): string {
  if (!group) return '—';
  const r: RateInterval = group[label];
  return rateInterval(r.rate, r.lower, r.upper, n);
}

function directionTable(settings: SteeringSetting[], dir: 'memToGen' | 'genToMem'): string {
  const rows = settings.map((s) => {
    const c = s[dir];
    const targeted = dir === 'memToGen' ? s.toGen.intervals.fromMem : s.toMem.intervals.fromGen;
    const random = dir === 'memToGen' ? s.random.intervals.fromMem : s.random.intervals.fromGen;
    const to = dir === 'memToGen' ? 'gen' : 'mem';
    const n = c?.items ?? 0;
    return [
      settingLabel(s),
      String(s.coordinates),
      String(n),
      interval(targeted, to, n),
      interval(random, to, n),
      c ? `${(100 * c.difference).toFixed(1)} pts` : '—',
      c ? pValue(c.pairedPValue) : '—',
      switchVerdict(c),
    ];
  });
  return table(
    [
      'setting',
      'coords',
      'items',
      'targeted [95 % CI]',
      'random [95 % CI]',
      'targeted − random',
      'paired p',
      'verdict',
    ],
    rows,
  );
}

function fullTransitions(settings: SteeringSetting[]): string {
  const rows: string[][] = [];
  for (const s of settings) {
    const add = (
      transition: string,
      run: string,
      group: TransitionIntervals,
      n: number,
      to: 'mem' | 'gen',
    ) => {
      const stay = to === 'gen' ? 'mem' : 'gen';
      rows.push([
        settingLabel(s),
        transition,
        run,
        String(n),
        interval(group, to, n),
        interval(group, stay, n),
        interval(group, 'other', n),
      ]);
    };
    add('Mem→Gen', 'gen-steered', s.toGen.intervals.fromMem, s.toGen.table.fromMem.total, 'gen');
    add('Mem→Gen', 'random', s.random.intervals.fromMem, s.random.table.fromMem.total, 'gen');
    add('Gen→Mem', 'mem-steered', s.toMem.intervals.fromGen, s.toMem.table.fromGen.total, 'mem');
    add('Gen→Mem', 'random', s.random.intervals.fromGen, s.random.table.fromGen.total, 'mem');
  }
  return table(['setting', 'transition', 'run', 'n', '→ target', 'stay', '→ other'], rows);
}

export function steeringSection(inp: ReportInputs, figs: FigureIndex): string {
  const st = inp.steering;
  if (!st) return section('Steering (SPEC §7)', 'The steering stage has not run for this configuration.');
  const u = st.unsteered.counts;
  const capability = st.settings.map((s) => [
    settingLabel(s),
    pct(st.unsteered.capabilityAccuracy),
    pct(s.toMem.capabilityAccuracy),
    pct(s.toGen.capabilityAccuracy),
    pct(s.random.capabilityAccuracy),
  ]);
  return section(
    'Steering (SPEC §7)',
    `Steering set: ${st.items} fresh conflict items, unsteered mem ${u.mem} / gen ${u.gen} / other ${u.other}. ` +
      `Shifts are added to the ${st.site === 'resid' ? 'residual stream (block outputs)' : 'MLP neurons'} at the ` +
      'last position of every forward pass. Toward mem adds +α·NMD (or +α·sd·sign NMD in sd units), toward ' +
      'gen subtracts it; the random control shifts as many uniformly drawn coordinates by U(−m, m), m = the ' +
      'largest targeted |shift|. Intervals: stratified bootstrap, 95 %; p: exact paired (McNemar) test of ' +
      'targeted vs random on the same items.' +
      (st.excludedSites.length > 0 ? ` Not steered: ${st.excludedSites.join(', ')}.` : ''),
    `Sanity check: steering with α = 0 reproduced all ${st.items + st.capabilityItems} unsteered outputs ` +
      `exactly (${st.alphaZero.mismatches} mismatches).`,
    `**Mem→Gen** (originally-mem items that answer gen under the gen-steered run):\n\n${directionTable(st.settings, 'memToGen')}`,
    `**Gen→Mem** (originally-gen items that answer mem under the mem-steered run):\n\n${directionTable(st.settings, 'genToMem')}`,
    fig(figs, 'steering-nmd'),
    fig(figs, 'steering-sd'),
    `**Capability control**: accuracy on ${st.capabilityItems} ordinary (rule) items under each run; an ` +
      `answer-free guesser would score ${pct(st.capabilityShortcutBaseline)} on them:\n\n` +
      table(['setting', 'unsteered', 'toward mem', 'toward gen', 'random'], capability),
    `Full transition tables (SPEC §7), rates with 95 % intervals:\n\n${fullTransitions(st.settings)}`,
    EXACT_NOTE,
  );
}

export function consistencySection(inp: ReportInputs): string {
  const c = inp.consistency;
  if (!c)
    return section('Consistency (SPEC §8)', 'The consistency stage has not run for this configuration.');
  const rows = c.dice.map((d) => [
    `top ${(100 * d.topFraction).toFixed(0)} %`,
    d.meanDice === null ? '—' : `${num(d.meanDice)} ± ${num(d.sdDice)}`,
    num(d.meanExpectedRandom),
    num(d.meanRandom95),
    `${d.splitsAboveRandom95} / ${c.splits}`,
    d.meanDice !== null && d.splitsAboveRandom95 === c.splits
      ? 'above random masks'
      : 'indistinguishable from random masks',
  ]);
  return section(
    'Consistency (SPEC §8)',
    `${c.splits} random split-halves of the ${c.pairs} pairs (${c.halfSize} pairs per half). Dice overlap of the ` +
      'halves\' top-N |r| masks beside random masks of the same sizes; "above random masks" only when every split ' +
      'beats the random 95th percentile.',
    table(
      ['mask', 'Dice (mean ± sd)', 'random, expected', 'random, 95th pct', 'splits above', 'verdict'],
      rows,
    ),
    `Spearman ρ of the halves' NMD vectors: ${num(c.spearmanNmd.mean)} ± ${num(c.spearmanNmd.sd)}; with one ` +
      `half's neurons in random order it reaches ${num(c.spearmanNmd.meanNull95)} (95th percentile, mean over ` +
      `splits); ${c.spearmanNmd.splitsAboveNull95} of ${c.splits} splits exceed it — ` +
      (c.spearmanNmd.splitsAboveNull95 === c.splits
        ? 'above the random-ranking baseline.'
        : 'indistinguishable from the random-ranking baseline.') +
      ' Across seeds and tasks: `memgen compare RUN...`.',
  );
}
