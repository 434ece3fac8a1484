/**
 * The sweep's results.json: per task, preset and size, each seed's key figures (read from its run's
 * results.json) and their mean ± sd over the seeds whose checkpoint qualified, the others apart.
 * Only figures, no timings or host names, so two sweeps of the same spec write byte-identical files.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepUnit } from './plan.js';

/** The figures compared across seeds; null when the run did not reach the stage that gives it. */
export const FIGURE_NAMES = [
  'flipRate',
  'memToGen',
  'memToGenControl',
  'genToMem',
  'genToMemControl',
  'capability',
  'capabilityUnsteered',
  'bestProbeAccuracy',
  'ruleAccuracy',
  'shortcutBaseline',
  'spearmanNmd',
] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];
export type Figures = Record<FigureName, number | null>;

export interface SeedResult {
  seed: number;
  /** Whether the trained checkpoint qualified (rule skill above the shortcut); null when unknown. */
  qualified: boolean | null;
  /** Why the statistics did not run (too few pairs), or why the run failed; null when complete. */
  stopped: string | null;
  /** The pre-declared steering setting (steer.primary) the steering figures come from. */
  steering: { id: string } | null;
  figures: Figures;
}

export interface Summary {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  sd: number | null;
}

export interface GroupResult {
  task: string;
  preset: string;
  size: string;
  seeds: SeedResult[];
  /** Over the seeds whose checkpoint qualified only. */
  summary: Record<FigureName, Summary>;
  /** Over the other seeds (unqualified or unknown), kept apart: never pooled with the qualified. */
  unqualifiedSummary: Record<FigureName, Summary>;
}

/** The matched-control fields of a steering setting in a run's results.json. */
interface SettingResult {
  id: string;
  mem_to_gen: number | null;
  mem_to_gen_control: number | null;
  gen_to_mem: number | null;
  gen_to_mem_control: number | null;
  capability: number | null;
  capability_unsteered: number | null;
}

interface RunResults {
  stopped?: string | null;
  train?: { qualified?: boolean; final?: { rule_acc?: number; shortcut_baseline?: number } } | null;
  pairs?: { flipRate?: number } | null;
  probes?: { bySite?: { raw: number }[] } | null;
  steering?: { primary?: string; settings?: SettingResult[] } | null;
  consistency?: { spearmanNmd?: number } | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * One run's figures. The steering figures are the pre-declared setting's (steer.primary), the same
 * in every seed: picking each seed's best setting would bias the summary upward.
 */
export function figuresOf(results: RunResults): Omit<SeedResult, 'seed'> {
  const primary = results.steering?.primary;
  const p = results.steering?.settings?.find((s) => s.id === primary) ?? null;
  const probes = (results.probes?.bySite ?? []).map((s) => s.raw).filter((v) => Number.isFinite(v));
  const qualified = results.train?.qualified;
  return {
    qualified: typeof qualified === 'boolean' ? qualified : null,
    stopped: results.stopped ?? null,
    steering: p ? { id: p.id } : null,
    figures: {
      flipRate: num(results.pairs?.flipRate),
      memToGen: num(p?.mem_to_gen),
      memToGenControl: num(p?.mem_to_gen_control),
      genToMem: num(p?.gen_to_mem),
      genToMemControl: num(p?.gen_to_mem_control),
      capability: num(p?.capability),
      capabilityUnsteered: num(p?.capability_unsteered),
      bestProbeAccuracy: probes.length > 0 ? Math.max(...probes) : null,
      ruleAccuracy: num(results.train?.final?.rule_acc),
      shortcutBaseline: num(results.train?.final?.shortcut_baseline),
      spearmanNmd: num(results.consistency?.spearmanNmd),
    },
  };
}

/** Mean and sample sd of the non-null values. */
export function summarise(values: readonly (number | null)[]): Summary {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return { n: 0, mean: null, sd: null };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { n: 1, mean, sd: null };
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { n: xs.length, mean, sd: Math.sqrt(variance) };
}

function summaries(seeds: readonly SeedResult[]): Record<FigureName, Summary> {
  return Object.fromEntries(
    FIGURE_NAMES.map((f) => [f, summarise(seeds.map((s) => s.figures[f]))]),
  ) as Record<FigureName, Summary>;
}

/**
 * Groups units by task, preset and size (spec order) and reads each finished run's results.json
 * under `runsDir/<runId>/`; a unit whose run failed is listed with `failed` as its stop reason.
 */
export async function collectResults(
  units: readonly SweepUnit[],
  runsDir: string,
  failed: ReadonlyMap<string, string>,
): Promise<GroupResult[]> {
  const groups = new Map<string, GroupResult>();
  for (const unit of units) {
    const key = [unit.task, unit.preset, unit.size].join('\u0000');
    const group = groups.get(key) ?? {
      ...{ task: unit.task, preset: unit.preset, size: unit.size, seeds: [] },
      ...{ summary: summaries([]), unqualifiedSummary: summaries([]) },
    };
    groups.set(key, group);
    const path = join(runsDir, unit.runId, 'results.json');
    const failure = failed.get(unit.runId);
    if (failure !== undefined || !existsSync(path)) {
      const figures = Object.fromEntries(FIGURE_NAMES.map((f) => [f, null])) as Figures;
      const stopped = `failed: ${failure ?? 'no results.json'}`;
      group.seeds.push({ seed: unit.seed, qualified: null, stopped, steering: null, figures });
      continue;
    }
    const results = JSON.parse(await readFile(path, 'utf8')) as RunResults;
    group.seeds.push({ seed: unit.seed, ...figuresOf(results) });
  }
  for (const group of groups.values()) {
    group.summary = summaries(group.seeds.filter((s) => s.qualified === true));
    group.unqualifiedSummary = summaries(group.seeds.filter((s) => s.qualified !== true));
  }
  return [...groups.values()];
}
