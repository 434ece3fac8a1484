/**
 * The results book's runs: one entry per (task, size, seed) of the sweeps given, read from each
 * sweep's own files (sweep.json's spec names its units; each run directory's results.json,
 * train/summary.json and train/curve.jsonl give the figures), each verified (book-sources.ts) and
 * held to its domain (book-domains.ts) before it is used. Nothing is recomputed here.
 */
import { canonicalJson, parseWith, readJson, readJsonLines } from '@memgen/common';
import { trainedModelConfig, trainedParameterCount } from '@memgen/pipeline';
import type { z } from 'zod';
import { expandSweep, type SweepUnit } from '../plan.js';
import { parseSweepSpec } from '../sweep-spec.js';
import type { BookReliability } from './book-domains.js';
import {
  checkIdentity,
  curveRowSchema,
  type RunResults,
  runResultsSchema,
  summarySchema,
} from './book-domains.js';
import { groupKey } from './book-groups.js';
import { SweepSources } from './book-sources.js';

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
  /** The layer-matched control of an add selection by |r| (null where a run has none). */
  mem_to_gen_layer_control: number | null;
  gen_to_mem_layer_control: number | null;
  mem_to_gen_other: number | null;
  gen_to_mem_other: number | null;
  /** Sublayer settings: the toward-gen and toward-mem sublayers (calibrated ones as chosen); else null. */
  targets: string[] | null;
  /** The matched control's sublayers or heads. */
  control_targets: string[] | null;
  /** Learned settings only (absent otherwise): site, coordinates kept, the shuffled-label control. */
  learned?: {
    /** The hook the direction or subspace acts at (null in archives written before it was kept). */
    hook?: string | null;
    /** The token span it is added at ('asked': the asked name's statements); null at the last position. */
    span?: string | null;
    coordinates: number | null;
    mem_to_gen_shuffled_control: number | null;
    gen_to_mem_shuffled_control: number | null;
  };
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
  /** The pre-declared learned direction's per-item reliability (absent for other primaries). */
  reliability?: BookReliability;
}

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
  'mem_to_gen_layer_control',
  'gen_to_mem_layer_control',
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
  const learnedMeta = s.learned as { hook?: unknown } | undefined;
  if (s.kind === 'direction' || s.kind === 'das')
    out.learned = {
      hook: typeof learnedMeta?.hook === 'string' ? learnedMeta.hook : null,
      span: s.position === 'asked' ? 'asked' : null,
      coordinates: finite(s.coordinates),
      mem_to_gen_shuffled_control: finite(s.mem_to_gen_shuffled_control),
      gen_to_mem_shuffled_control: finite(s.gen_to_mem_shuffled_control),
    };
  return out as unknown as BookSetting;
}

/** The curve row of the selected step (its conflict counts and rule accuracy), domain-checked. */
async function selectedEvaluation(sources: SweepSources, runId: string, step: number) {
  const path = await sources.runFile(runId, 'train/curve.jsonl');
  if (path === null) return null;
  const rows = (await readJsonLines(path)) as Record<string, unknown>[];
  const index = rows.findIndex((r) => r.step === step && r.gen !== undefined);
  if (index < 0) return null;
  return parseWith(curveRowSchema, rows[index], `${path}: line ${index + 1}`) as Record<string, unknown>;
}

/** A run file parsed with `schema`, or null when the run has no such file. */
async function runJson<T>(sources: SweepSources, runId: string, file: string, schema: z.ZodType<T>) {
  const path = await sources.runFile(runId, file);
  return path === null ? null : { path, value: parseWith(schema, await readJson(path), path) };
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
    ...(r.steering?.reliability ? { reliability: r.steering.reliability } : {}),
  };
}

function hopsOf(unit: SweepUnit): number | null {
  const hops = (unit.train.task.config as { hops?: unknown }).hops;
  return unit.task === 'color' && typeof hops === 'number' ? hops : null;
}

type SweepOverrides = BookRun['overrides'];

async function bookRun(sources: SweepSources, overrides: SweepOverrides, unit: SweepUnit): Promise<BookRun> {
  const sweep = sources.sweep.sweepId;
  const summary = (await runJson(sources, unit.runId, 'train/summary.json', summarySchema))?.value ?? null;
  const read = await runJson(sources, unit.runId, 'results.json', runResultsSchema);
  const model = trainedModelConfig(unit.train);
  if (read) checkIdentity(read.path, read.value, { seed: unit.seed, task: unit.task, model });
  const results = read?.value ?? null;
  const selected = summary ? await selectedEvaluation(sources, unit.runId, summary.selectedStep) : null;
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
 * Every run of the sweeps in `dirs`, in sweep order then unit order; a run that two of the sweeps
 * hold with the same files (a sweep given twice, the local and NATS copies of one sweep) counts
 * once, with a note.
 * @throws Error naming the directory that is not a sweep, a file that fails its checks
 *   (book-sources.ts, book-domains.ts), or a run two sweeps hold with different results
 */
export async function readBookRuns(dirs: readonly string[], note: (line: string) => void = () => {}) {
  const runs: BookRun[] = [];
  const seen = new Map<string, { run: BookRun; dir: string }>();
  for (const dir of dirs) {
    const sources = await SweepSources.open(dir);
    const spec = parseSweepSpec(sources.sweep.spec);
    const overrides =
      spec.train || spec.study
        ? { ...(spec.train ? { train: spec.train } : {}), ...(spec.study ? { study: spec.study } : {}) }
        : null;
    for (const unit of expandSweep(spec)) {
      const run = await bookRun(sources, overrides, unit);
      const key = `${groupKey(run)} seed ${run.seed}`;
      const earlier = seen.get(key);
      if (!earlier) {
        seen.set(key, { run, dir });
        runs.push(run);
        continue;
      }
      if (canonicalJson({ ...run, sweep: '' }) !== canonicalJson({ ...earlier.run, sweep: '' })) {
        throw new Error(
          `${unit.runId}: ${earlier.dir} and ${dir} both hold seed ${run.seed} of ${groupKey(run)} with different results: give one of them`,
        );
      }
      note(`${unit.runId}: ${dir} holds the same run as ${earlier.dir}; counted once`);
    }
  }
  return runs;
}
