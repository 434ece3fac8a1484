/**
 * The book's groups: runs of one task (and hops), preset, size and sweep overrides, with mean ± sd
 * over the seeds whose checkpoint qualified — unqualified seeds are listed, never pooled — and, per
 * steering setting, on how many qualified seeds it meets the steering criterion.
 */
import { configHash } from '@memgen/common';
import { type Summary, summarise } from '../results.js';
import type { BookRun, BookSetting } from './book-runs.js';

/**
 * The criterion a setting must meet on a seed: targeted Mem→Gen and Gen→Mem each ≥ 3× the matched
 * control with Holm-corrected p < 0.05, and capability ≥ 0.9 × the unsteered model's.
 */
export const CRITERION = { ratio: 3, holmP: 0.05, capabilityShare: 0.9 } as const;

/** Rates are k/n fractions: exactly 3× (30/100 vs 10/100) counts, whatever the rounding of 3 × 0.1. */
export function meetsCriterion(s: BookSetting): boolean {
  const direction = (rate: number | null, control: number | null, p: number | null) =>
    rate !== null &&
    control !== null &&
    p !== null &&
    rate * (1 + 1e-12) >= CRITERION.ratio * control &&
    p < CRITERION.holmP;
  return (
    direction(s.mem_to_gen, s.mem_to_gen_control, s.holm_p_mem_to_gen) &&
    direction(s.gen_to_mem, s.gen_to_mem_control, s.holm_p_gen_to_mem) &&
    s.capability !== null &&
    s.capability_unsteered !== null &&
    s.capability * (1 + 1e-12) >= CRITERION.capabilityShare * s.capability_unsteered
  );
}

export const SETTING_SUMMARY_FIELDS = [
  'mem_to_gen',
  'mem_to_gen_control',
  'gen_to_mem',
  'gen_to_mem_control',
  'mem_to_gen_paper_control',
  'gen_to_mem_paper_control',
  'mem_to_gen_layer_control',
  'gen_to_mem_layer_control',
  'capability',
  'capability_unsteered',
] as const;

export interface SettingAcrossSeeds {
  id: string;
  /** Over the qualified seeds that ran it. */
  summary: Record<(typeof SETTING_SUMMARY_FIELDS)[number], Summary>;
  /** The largest Holm-corrected p over those seeds, per direction. */
  max_holm_p_mem_to_gen: number | null;
  max_holm_p_gen_to_mem: number | null;
  /** Qualified seeds on which it meets CRITERION, of `seeds`. */
  meets_criterion: number;
  seeds: number;
}

export const RUN_SUMMARY_FIELDS = ['flip_rate', 'rule_acc', 'shortcut_baseline', 'max_abs_r'] as const;

export interface BookGroup {
  key: string;
  task: string;
  hops: number | null;
  preset: string;
  size: string;
  overrides: BookRun['overrides'];
  seeds: number[];
  qualified_seeds: number[];
  summary: Record<(typeof RUN_SUMMARY_FIELDS)[number], Summary>;
  primary: string | null;
  settings: SettingAcrossSeeds[];
}

/**
 * `color-1hop-quick-micro`: a group's name in file names and anchors; runs with sweep overrides get
 * a suffix from their hash (`…-micro-o1a2b3c4d`), so other configurations are never pooled with them.
 */
export function groupKey(r: Pick<BookRun, 'task' | 'hops' | 'preset' | 'size' | 'overrides'>): string {
  const variant = r.overrides === null ? null : `o${configHash(r.overrides).slice(0, 8)}`;
  return [r.task, r.hops === null ? null : `${r.hops}hop`, r.preset, r.size, variant]
    .filter(Boolean)
    .join('-');
}

function maxOrNull(values: (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? null : Math.max(...xs);
}

function settingsAcross(qualified: readonly BookRun[]): SettingAcrossSeeds[] {
  const ids = [...new Set(qualified.flatMap((r) => r.steering.map((s) => s.id)))];
  return ids.map((id) => {
    const rows = qualified.flatMap((r) => r.steering.filter((s) => s.id === id));
    const summary = Object.fromEntries(
      SETTING_SUMMARY_FIELDS.map((f) => [f, summarise(rows.map((s) => s[f]))]),
    ) as SettingAcrossSeeds['summary'];
    return {
      id,
      summary,
      max_holm_p_mem_to_gen: maxOrNull(rows.map((s) => s.holm_p_mem_to_gen)),
      max_holm_p_gen_to_mem: maxOrNull(rows.map((s) => s.holm_p_gen_to_mem)),
      meets_criterion: rows.filter(meetsCriterion).length,
      seeds: rows.length,
    };
  });
}

/** The runs grouped in first-seen order, each group's seeds in run order. */
export function bookGroups(runs: readonly BookRun[]): BookGroup[] {
  const byKey = new Map<string, BookRun[]>();
  for (const r of runs) byKey.set(groupKey(r), [...(byKey.get(groupKey(r)) ?? []), r]);
  return [...byKey.entries()].map(([key, rs]) => {
    const qualified = rs.filter((r) => r.qualified === true);
    const first = rs[0]!;
    return {
      key,
      task: first.task,
      hops: first.hops,
      preset: first.preset,
      size: first.size,
      overrides: first.overrides,
      seeds: rs.map((r) => r.seed),
      qualified_seeds: qualified.map((r) => r.seed),
      summary: Object.fromEntries(
        RUN_SUMMARY_FIELDS.map((f) => [f, summarise(qualified.map((r) => r[f]))]),
      ) as BookGroup['summary'],
      primary: first.primary,
      settings: settingsAcross(qualified),
    };
  });
}
