/**
 * The book's verdict on each pre-declared setting over the runs that judged it: a sweep declares
 * one primary setting before its seeds run, and a claim about that setting holds only if it holds on
 * every qualified run. Per (sweep, pre-declared setting): the sizes and seeds, how many runs meet the
 * strong criterion (docs/method.md §7), how many move beyond their matched control after Holm both
 * ways, and the range over runs of each switch rate beside the range of its control — never a mean
 * that would hide a seed on which the setting fails.
 */
import { pct, table } from '@memgen/pipeline';
import type { BookRun, BookSetting } from './book-runs.js';
import { capabilityShare, seriesKey } from './book-sizes.js';
import { beyondBothWays, meetsStrongCriterion } from './book-upper-bound.js';

/** One pre-declared setting of one configuration of one sweep, and the qualified runs that measured it. */
interface Judged {
  sweep: string;
  /** The configuration without its size (book-sizes.ts): one sweep may train several tasks. */
  configuration: string;
  primary: string;
  runs: { run: BookRun; setting: BookSetting }[];
  /** Runs of the sweep that did not qualify (listed, never judged). */
  unqualified: number;
}

/** Groups the runs by sweep, configuration and pre-declared setting, in the order the runs come. */
function judgedGroups(runs: readonly BookRun[]): Judged[] {
  const groups = new Map<string, Judged>();
  for (const run of runs) {
    if (run.primary === null) continue;
    const setting = run.steering.find((s) => s.id === run.primary);
    const configuration = seriesKey(run);
    const key = [run.sweep, configuration, run.primary].join('\u0000');
    if (!groups.has(key))
      groups.set(key, { sweep: run.sweep, configuration, primary: run.primary, runs: [], unqualified: 0 });
    const g = groups.get(key)!;
    if (run.qualified === true && setting) g.runs.push({ run, setting });
    else if (run.qualified === false) g.unqualified += 1;
  }
  return [...groups.values()].filter((g) => g.runs.length > 0);
}

/** "micro-l4 s3, s4, s5; tiny s3, s4" — the sizes in the order they come, each with its seeds. */
function sizesAndSeeds(g: Judged): string {
  const bySize = new Map<string, number[]>();
  for (const { run } of g.runs) bySize.set(run.size, [...(bySize.get(run.size) ?? []), run.seed]);
  return [...bySize]
    .map(
      ([size, seeds]) =>
        `${size} ${[...seeds]
          .sort((a, b) => a - b)
          .map((s) => `s${s}`)
          .join(', ')}`,
    )
    .join('; ');
}

/** "min–max" of a field over the group's runs (a run where it is null is left out; none: —). */
function range(values: readonly (number | null)[]): string {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return '—';
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  return lo === hi ? pct(lo) : `${pct(lo)} – ${pct(hi)}`;
}

function row(g: Judged): string[] {
  const settings = g.runs.map((r) => r.setting);
  const n = settings.length;
  const strong = settings.filter(meetsStrongCriterion).length;
  const beyond = settings.filter(beyondBothWays).length;
  return [
    `\`${g.sweep}\``,
    g.configuration,
    `\`${g.primary}\``,
    `${sizesAndSeeds(g)}${g.unqualified > 0 ? ` (${g.unqualified} not qualified)` : ''}`,
    `${strong} / ${n}`,
    `${beyond} / ${n}`,
    range(settings.map((s) => s.mem_to_gen)),
    range(settings.map((s) => s.mem_to_gen_control)),
    range(settings.map((s) => s.gen_to_mem)),
    range(settings.map((s) => s.gen_to_mem_control)),
    range(settings.map(capabilityShare)),
  ];
}

/** The section, or null when no qualified run has its pre-declared setting. */
export function judgingSection(runs: readonly BookRun[]): string | null {
  const groups = judgedGroups(runs);
  if (groups.length === 0) return null;
  return [
    '## Pre-declared settings, run by run',
    'Each sweep declares its primary setting before its seeds run. Per sweep, configuration (every size) and pre-declared setting, over its qualified runs: on how many the setting meets the strong criterion (both directions ≥ 50 %, matched control ≤ 5 % and ≥ 10× below, Holm p < 0.05 both ways, capability ≥ 0.9× unsteered; docs/method.md §7), on how many it moves beyond its matched control after Holm both ways (the rest are at noise level in at least one direction), and the range over runs of each rate and its matched control — a setting holds only if it holds on every run. The next section puts each run beside the patching map at its site.',
    table(
      [
        'sweep',
        'configuration',
        'pre-declared',
        'runs (size, seeds)',
        'strong criterion',
        'beyond matched (Holm, both ways)',
        'Mem→Gen',
        'matched',
        'Gen→Mem',
        'matched',
        'capability / unsteered',
      ],
      groups.map(row),
    ),
  ].join('\n\n');
}
