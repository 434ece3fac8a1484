/**
 * The sweep's results.json: per task and preset, each seed's key figures (read from its run's
 * results.json) and their mean ± sd over seeds. Only figures, no timings or host names, so two
 * sweeps of the same spec write byte-identical files.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepUnit } from './plan.js';

/** The figures compared across seeds; null when the run did not reach the stage that gives it. */
export const FIGURE_NAMES = [
  'flipRate',
  'memToGen',
  'genToMem',
  'randomControl',
  'bestProbeAccuracy',
  'ruleAccuracy',
  'shortcutBaseline',
  'spearmanNmd',
] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];
export type Figures = Record<FigureName, number | null>;

export interface SeedResult {
  seed: number;
  /** Why the statistics did not run (too few pairs), or why the run failed; null when complete. */
  stopped: string | null;
  /** The steering setting the Mem→Gen, Gen→Mem and random-control figures come from. */
  steering: { unit: string; alpha: number; topFraction: number } | null;
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
  seeds: SeedResult[];
  summary: Record<FigureName, Summary>;
}

interface RunResults {
  stopped?: string | null;
  train?: { final?: { rule_acc?: number; shortcut_baseline?: number } } | null;
  pairs?: { flipRate?: number } | null;
  probes?: { bySite?: { raw: number }[] } | null;
  steering?: {
    settings?: {
      unit: string;
      alpha: number;
      topFraction: number;
      memToGen: { targetedRate: number; randomRate: number } | null;
      genToMem: { targetedRate: number } | null;
    }[];
  } | null;
  consistency?: { spearmanNmd?: number } | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * One run's figures. The steering figures come from the setting with the largest Mem→Gen rate
 * (the first such in grid order), the one a reader looks at first; its random control beside it.
 */
export function figuresOf(results: RunResults): Omit<SeedResult, 'seed'> {
  const settings = (results.steering?.settings ?? []).filter((s) => s.memToGen !== null);
  const best = settings.reduce<(typeof settings)[number] | null>(
    (a, b) => (a === null || b.memToGen!.targetedRate > a.memToGen!.targetedRate ? b : a),
    null,
  );
  const probes = (results.probes?.bySite ?? []).map((s) => s.raw).filter((v) => Number.isFinite(v));
  return {
    stopped: results.stopped ?? null,
    steering: best ? { unit: best.unit, alpha: best.alpha, topFraction: best.topFraction } : null,
    figures: {
      flipRate: num(results.pairs?.flipRate),
      memToGen: num(best?.memToGen?.targetedRate),
      genToMem: num(best?.genToMem?.targetedRate),
      randomControl: num(best?.memToGen?.randomRate),
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

/**
 * Groups units by task and preset (spec order) and reads each finished run's results.json under
 * `runsDir/<runId>/`; a unit whose run failed is listed with `failed` as its stop reason.
 */
export async function collectResults(
  units: readonly SweepUnit[],
  runsDir: string,
  failed: ReadonlyMap<string, string>,
): Promise<GroupResult[]> {
  const groups = new Map<string, GroupResult>();
  for (const unit of units) {
    const key = `${unit.task}\u0000${unit.preset}`;
    let group = groups.get(key);
    if (!group) {
      group = { task: unit.task, preset: unit.preset, seeds: [], summary: {} as GroupResult['summary'] };
      groups.set(key, group);
    }
    const path = join(runsDir, unit.runId, 'results.json');
    const failure = failed.get(unit.runId);
    if (failure !== undefined || !existsSync(path)) {
      const figures = Object.fromEntries(FIGURE_NAMES.map((f) => [f, null])) as Figures;
      group.seeds.push({
        seed: unit.seed,
        stopped: `failed: ${failure ?? 'no results.json'}`,
        steering: null,
        figures,
      });
      continue;
    }
    const results = JSON.parse(await readFile(path, 'utf8')) as RunResults;
    group.seeds.push({ seed: unit.seed, ...figuresOf(results) });
  }
  for (const group of groups.values()) {
    group.summary = Object.fromEntries(
      FIGURE_NAMES.map((f) => [f, summarise(group.seeds.map((s) => s.figures[f]))]),
    ) as GroupResult['summary'];
  }
  return [...groups.values()];
}
