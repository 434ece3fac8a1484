/**
 * The results book's runs: one entry per (task, size, seed) of the sweeps given, read from each
 * sweep's own files (sweep.json's spec names its units; each run directory's results.json,
 * train/summary.json and train/curve.jsonl give the figures). Nothing is recomputed here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseWith, readJson, readJsonLines } from '@memgen/common';
import { trainedParameterCount } from '@memgen/pipeline';
import { z } from 'zod';
import { expandSweep, type SweepUnit } from '../plan.js';
import { parseSweepSpec } from '../sweep-spec.js';

/** A steering setting of one run: the contract fields, then what the book's tables also show. */
export interface BookSetting {
  id: string;
  mem_to_gen: number | null;
  mem_to_gen_control: number | null;
  gen_to_mem: number | null;
  gen_to_mem_control: number | null;
  holm_p_mem_to_gen: number | null;
  holm_p_gen_to_mem: number | null;
  capability: number | null;
  capability_unsteered: number | null;
  alpha: number | null;
  family: number | null;
  mem_to_gen_paper_control: number | null;
  gen_to_mem_paper_control: number | null;
  mem_to_gen_other: number | null;
  gen_to_mem_other: number | null;
  /** Sublayer settings: the toward-gen and toward-mem sublayers (calibrated ones as chosen); else null. */
  targets: string[] | null;
  /** The matched control's sublayers or heads. */
  control_targets: string[] | null;
}

export interface BookSite {
  site: string;
  mean_abs_nmd: number | null;
  max_abs_r: number | null;
}

export interface BookProbe {
  site: string;
  raw: number;
  centred: number;
  shuffled_raw: number;
  shuffled_centred: number;
}

export interface BookPatchSite {
  id: string;
  component: string;
  layer: number | null;
  head: number | null;
  selection: string;
  mem_to_gen: number;
  gen_to_mem: number;
}

export interface BookRun {
  sweep: string;
  run_id: string;
  /**
   * The sweep spec's train / study overrides over the presets (null: none). Runs with different
   * overrides are different configurations: the book never groups them together.
   */
  overrides: { train?: unknown; study?: unknown } | null;
  task: string;
  /** Color's hops; null for other tasks. */
  hops: number | null;
  preset: string;
  size: string;
  /** The trained model's parameter count (the tied unembedding counted once). */
  params: number;
  seed: number;
  qualified: boolean | null;
  /** Why the run has no study figures (too few pairs, a failed job); null when complete. */
  stopped: string | null;
  selected_step: number | null;
  flip_rate: number | null;
  /** Conflict-set counts of the selected checkpoint's evaluation. */
  gen: number | null;
  mem: number | null;
  n: number | null;
  rule_acc: number | null;
  shortcut_baseline: number | null;
  nmd_by_site: BookSite[];
  max_abs_r: number | null;
  permutation_p95: number | null;
  permutation_p99: number | null;
  probes: BookProbe[];
  patching: { pairs: number; sites: BookPatchSite[] } | null;
  primary: string | null;
  steering: BookSetting[];
}

const num = z.number().nullable().optional();
const runResultsSchema = z.looseObject({
  stopped: z.string().nullable().optional(),
  pairs: z.looseObject({ flipRate: z.number() }).nullable().optional(),
  stats: z
    .looseObject({
      noise: z.looseObject({ observedMaxAbsR: z.number(), threshold95: z.number(), threshold99: num }),
      meanAbsNmdBySite: z.record(z.string(), z.number()),
      maxAbsRBySite: z.record(z.string(), z.number()),
    })
    .nullable()
    .optional(),
  probes: z
    .looseObject({
      bySite: z.array(
        z.looseObject({
          site: z.string(),
          raw: z.number(),
          centred: z.number(),
          shuffledRaw: z.number(),
          shuffledCentred: z.number(),
        }),
      ),
    })
    .nullable()
    .optional(),
  patching: z
    .looseObject({ pairs: z.number(), sites: z.array(z.looseObject({ id: z.string() })) })
    .nullable()
    .optional(),
  steering: z
    .looseObject({ primary: z.string(), settings: z.array(z.looseObject({ id: z.string() })) })
    .nullable()
    .optional(),
});
type RunResults = z.output<typeof runResultsSchema>;

const summarySchema = z.looseObject({ selectedStep: z.number().int(), qualified: z.boolean() });
/** What the book reads of a sweep's sweep.json (its id names the sweep and its archived copy). */
export const sweepFileSchema = z.looseObject({
  sweepId: z.string().regex(/^[A-Za-z0-9_-]+$/),
  spec: z.unknown(),
});

/** A book setting's numeric fields, each a finite number or null (besides its id and targets). */
export const SETTING_FIELDS = [
  'mem_to_gen',
  'mem_to_gen_control',
  'gen_to_mem',
  'gen_to_mem_control',
  'holm_p_mem_to_gen',
  'holm_p_gen_to_mem',
  'capability',
  'capability_unsteered',
  'alpha',
  'family',
  'mem_to_gen_paper_control',
  'gen_to_mem_paper_control',
  'mem_to_gen_other',
  'gen_to_mem_other',
] as const;

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const names = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : null;

function bookSetting(s: Record<string, unknown>): BookSetting {
  const out: Record<string, unknown> = { id: s.id };
  for (const f of SETTING_FIELDS) out[f] = finite(s[f]);
  out.targets = names(s.heads);
  out.control_targets = names(s.controlHeads);
  return out as unknown as BookSetting;
}

/** The curve row of the selected step: its conflict counts and rule accuracy. */
async function selectedEvaluation(runDir: string, step: number) {
  const path = join(runDir, 'train', 'curve.jsonl');
  if (!existsSync(path)) return null;
  const rows = (await readJsonLines(path)) as Record<string, unknown>[];
  return rows.find((r) => r.step === step && r.gen !== undefined) ?? null;
}

function studyFigures(r: RunResults) {
  const stats = r.stats;
  return {
    flip_rate: r.pairs?.flipRate ?? null,
    nmd_by_site: stats
      ? Object.entries(stats.meanAbsNmdBySite).map(([site, v]) => ({
          site,
          mean_abs_nmd: v,
          max_abs_r: stats.maxAbsRBySite[site] ?? null,
        }))
      : [],
    max_abs_r: stats?.noise.observedMaxAbsR ?? null,
    permutation_p95: stats?.noise.threshold95 ?? null,
    permutation_p99: stats?.noise.threshold99 ?? null,
    probes: (r.probes?.bySite ?? []).map((p) => ({
      site: p.site,
      raw: p.raw,
      centred: p.centred,
      shuffled_raw: p.shuffledRaw,
      shuffled_centred: p.shuffledCentred,
    })),
    patching: r.patching
      ? { pairs: r.patching.pairs, sites: r.patching.sites as unknown as BookPatchSite[] }
      : null,
    primary: r.steering?.primary ?? null,
    steering: (r.steering?.settings ?? []).map((s) => bookSetting(s as Record<string, unknown>)),
  };
}

function hopsOf(unit: SweepUnit): number | null {
  const hops = (unit.train.task.config as { hops?: unknown }).hops;
  return unit.task === 'color' && typeof hops === 'number' ? hops : null;
}

type SweepOverrides = BookRun['overrides'];

async function bookRun(
  sweep: string,
  overrides: SweepOverrides,
  runsDir: string,
  unit: SweepUnit,
): Promise<BookRun> {
  const runDir = join(runsDir, unit.runId);
  const where = (f: string) => join(runDir, f);
  const summary = existsSync(where('train/summary.json'))
    ? parseWith(summarySchema, await readJson(where('train/summary.json')), where('train/summary.json'))
    : null;
  const results = existsSync(where('results.json'))
    ? parseWith(runResultsSchema, await readJson(where('results.json')), where('results.json'))
    : null;
  const selected = summary ? await selectedEvaluation(runDir, summary.selectedStep) : null;
  const count = (k: string) => finite(selected?.[k]);
  const [gen, mem, other] = [count('gen'), count('mem'), count('other')];
  const base = {
    sweep,
    run_id: unit.runId,
    overrides,
    task: unit.task,
    hops: hopsOf(unit),
    preset: unit.preset,
  };
  return {
    ...base,
    size: unit.size,
    params: trainedParameterCount(unit.train),
    seed: unit.seed,
    qualified: summary?.qualified ?? null,
    stopped: results ? (results.stopped ?? null) : 'no results.json: the run did not finish',
    selected_step: summary?.selectedStep ?? null,
    gen,
    mem,
    n: gen !== null && mem !== null && other !== null ? gen + mem + other : null,
    rule_acc: count('rule_acc'),
    shortcut_baseline: count('shortcut_baseline'),
    ...(results ? studyFigures(results) : studyFigures({})),
  };
}

/**
 * Every run of the sweeps in `dirs`, in sweep order then unit order.
 * @throws Error naming the directory without a readable sweep.json, or a malformed run file.
 */
export async function readBookRuns(dirs: readonly string[]): Promise<BookRun[]> {
  const runs: BookRun[] = [];
  for (const dir of dirs) {
    const path = join(dir, 'sweep.json');
    if (!existsSync(path)) throw new Error(`${dir}: no sweep.json (not a sweep directory)`);
    const sweep = parseWith(sweepFileSchema, await readJson(path), path);
    const spec = parseSweepSpec(sweep.spec);
    const overrides =
      spec.train || spec.study
        ? { ...(spec.train ? { train: spec.train } : {}), ...(spec.study ? { study: spec.study } : {}) }
        : null;
    for (const unit of expandSweep(spec))
      runs.push(await bookRun(sweep.sweepId, overrides, join(dir, 'runs'), unit));
  }
  return runs;
}
