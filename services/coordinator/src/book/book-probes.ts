/**
 * Curriculum probes in the results book: training runs of `memgen train --out DIR` (a curriculum
 * tried on one seed, e.g. a task that no sweep has qualified yet). The book shows each probe's
 * spec in brief, its phases as the curve saw them and a figure of its evaluations — the held-out
 * rule accuracy beside the answer-free shortcut baseline, and accuracy on the phase's own items
 * (per kind where a phase mixes kinds) — read from DIR/train/config.json and curve.jsonl alone.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseWith, readJson, readJsonLines } from '@memgen/common';
import { num, table } from '@memgen/pipeline';
import { lineChart, type Row } from '@memgen/report';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { insideRoot } from './book-sources.js';

const PROBE_FILES = ['train/config.json', 'train/curve.jsonl'] as const;

const probeConfigSchema = z.looseObject({
  spec: z.looseObject({
    task: z.looseObject({ name: z.string(), config: z.record(z.string(), z.unknown()).default({}) }),
    model: z.looseObject({
      preset: z.string(),
      init: z.string().optional(),
      positions: z.enum(['learned', 'rotary']).optional(),
    }),
    seed: z.number(),
    phases: z.array(z.looseObject({ name: z.string() })).min(1),
  }),
});

const pointSchema = z.looseObject({
  step: z.number(),
  phase: z.string(),
  gen: z.number(),
  mem: z.number(),
  other: z.number(),
  rule_acc: z.number(),
  shortcut_baseline: z.number(),
  train_acc: z.number(),
  train_acc_by_kind: z.record(z.string(), z.number()).optional(),
});

export type ProbePoint = z.output<typeof pointSchema>;

export interface BookProbe {
  /** The directory's name (its archived copy's name under probes/). */
  name: string;
  task: string;
  hops: number | null;
  model: string;
  /** The checkpoint it started from, as its spec names it; null = a fresh initialisation. */
  init: string | null;
  seed: number;
  /** Phases in spec order: steps evaluated in each (null when the curve never reached it). */
  phases: { name: string; first_step: number | null; last_step: number | null }[];
  /** The evaluation with the highest rule accuracy (the first such). */
  best: ProbePoint;
  last: ProbePoint;
  curve: ProbePoint[];
}

/**
 * Reads a probe directory.
 * @throws Error naming a missing or malformed file
 */
export async function readProbe(dir: string): Promise<BookProbe> {
  for (const f of PROBE_FILES)
    if (!existsSync(join(dir, f))) throw new Error(`${dir}: no ${f} (not a memgen train directory)`);
  const configPath = join(dir, PROBE_FILES[0]);
  const { spec } = parseWith(probeConfigSchema, await readJson(configPath), configPath);
  const curvePath = join(dir, PROBE_FILES[1]);
  const curve = (await readJsonLines(curvePath)).map((p, i) =>
    parseWith(pointSchema, p, `${curvePath} line ${i + 1}`),
  );
  if (curve.length === 0) throw new Error(`${curvePath}: no evaluation yet`);
  const best = curve.reduce((a, b) => (b.rule_acc > a.rule_acc ? b : a));
  const hops = spec.task.name === 'color' ? Number(spec.task.config.hops ?? 2) : null;
  return {
    name: basename(resolve(dir)),
    task: spec.task.name,
    hops,
    model:
      spec.model.positions === 'rotary' ? `${spec.model.preset} with rotary positions` : spec.model.preset,
    init: spec.model.init ?? null,
    seed: spec.seed,
    phases: spec.phases.map(({ name }) => {
      const mine = curve.filter((p) => p.phase === name);
      return { name, first_step: mine[0]?.step ?? null, last_step: mine.at(-1)?.step ?? null };
    }),
    best,
    last: curve.at(-1)!,
    curve,
  };
}

/**
 * Copies a probe's book sources to `archiveRoot/<name>` and returns that directory.
 * @throws Error when the directory is not a probe, or a file resolves (a symlink) outside it
 */
export async function archiveProbe(dir: string, archiveRoot: string): Promise<string> {
  const out = join(archiveRoot, basename(resolve(dir)));
  for (const f of PROBE_FILES) {
    if (!existsSync(join(dir, f))) throw new Error(`${dir}: no ${f} (not a memgen train directory)`);
    if (resolve(join(dir, f)) === resolve(join(out, f))) continue;
    await insideRoot(dir, join(dir, f));
    await mkdir(join(out, 'train'), { recursive: true });
    await copyFile(join(dir, f), join(out, f));
  }
  return out;
}

/** The file name (without extension) of a probe's figure under figures/. */
const figureName = (p: BookProbe) => `probe-${p.name}`;

/** Rule accuracy, its baseline and the phase's own accuracy (per kind when split) by step. */
export function probeFigure(p: BookProbe): { name: string; spec: TopLevelSpec } {
  const data: Row[] = p.curve.flatMap((pt) => [
    { step: pt.step, series: 'rule accuracy (held out)', value: pt.rule_acc },
    { step: pt.step, series: 'shortcut baseline', value: pt.shortcut_baseline },
    ...(pt.train_acc_by_kind
      ? Object.entries(pt.train_acc_by_kind).map(([k, v]) => ({
          step: pt.step,
          series: `own items: ${k}`,
          value: v,
        }))
      : [{ step: pt.step, series: "phase's own items", value: pt.train_acc }]),
  ]);
  const spec = lineChart({
    title: `probe ${p.name}: evaluations by step`,
    x: { field: 'step', title: 'training step' },
    y: { field: 'value', title: 'accuracy', domain: [0, 1] },
    series: 'series',
    data,
    points: false,
  });
  return {
    name: `probe-${p.name}`,
    spec: { ...spec, config: { legend: { labelLimit: 0 } } } as TopLevelSpec,
  };
}

/** "0.640 (chain 0.57, chain-role 1.00)": the phase's own accuracy, per kind where it was split. */
function ownAccuracy(p: ProbePoint): string {
  const kinds = Object.entries(p.train_acc_by_kind ?? {});
  const split = kinds.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  return kinds.length > 0 ? `${num(p.train_acc)} (${split})` : num(p.train_acc);
}

/** The book's section of probes: one subsection each, with its figure. */
export function probesSection(probes: readonly BookProbe[]): string {
  const parts = probes.map((p) => {
    const what = `${p.task}${p.hops === null ? '' : ` ${p.hops}-hop`}, ${p.model}, seed ${p.seed}, ${p.init ? `from ${p.init}` : 'from a fresh initialisation'}`;
    const phases = table(
      ['phase', 'evaluated steps', 'last own-items accuracy', 'last rule accuracy (baseline)'],
      p.phases.map((ph) => {
        const last = p.curve.filter((pt) => pt.phase === ph.name).at(-1);
        return [
          ph.name,
          ph.first_step === null ? 'not reached' : `${ph.first_step}–${ph.last_step}`,
          last ? ownAccuracy(last) : '—',
          last ? `${num(last.rule_acc)} (${num(last.shortcut_baseline)})` : '—',
        ];
      }),
    );
    const best = `Best rule accuracy ${num(p.best.rule_acc)} at step ${p.best.step} (${p.best.phase}; baseline ${num(p.best.shortcut_baseline)}); last evaluation step ${p.last.step}.`;
    return [
      `### probe ${p.name}`,
      `${what}.`,
      phases,
      best,
      `![${p.name}](figures/${figureName(p)}.png)`,
    ].join('\n\n');
  });
  return [
    '## Curriculum probes (memgen train, one seed each)',
    'Curricula tried on one seed before (or instead of) a sweep: what each phase reached, as its evaluations saw it.',
    ...parts,
  ].join('\n\n');
}
