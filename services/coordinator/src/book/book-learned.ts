/**
 * The book's learned-direction section: for every configuration whose steering grid has learned
 * directions restricted to k coordinates, how much of the full vector's effect the top k
 * coordinates by |r| keep beside k random coordinates of the same site and norm (the matched
 * control of the k-setting) — per size, mean over qualified seeds. Share = rate(k) / rate(all), for
 * Mem→Gen and Gen→Mem; a share near the random one means the behaviour is not carried by those
 * neurons. Seeds whose full vector moves nothing are left out of the shares (no effect to keep).
 */
import { pct, table } from '@memgen/pipeline';
import { summarise } from '../results.js';
import { groupKey } from './book-groups.js';
import { meanSd } from './book-markdown.js';
import type { BookRun, BookSetting } from './book-runs.js';

/** The id of the full (unrestricted) setting a restricted one belongs to, and its restriction. */
export function splitKeep(id: string): { full: string; keep: string } {
  const m = /^(dir-.+?)-(k\d+|top[\d.]+)$/.exec(id);
  return m ? { full: m[1]!, keep: m[2]! } : { full: id, keep: 'all' };
}

type Direction = 'mem_to_gen' | 'gen_to_mem';

/** Per seed: the k-setting's share of the full effect, and its matched control's. */
function shares(full: BookSetting, kept: BookSetting, d: Direction) {
  const all = full[d];
  if (all === null || all === 0) return { top: null, random: null };
  const top = kept[d];
  const random = kept[`${d}_control`];
  return { top: top === null ? null : top / all, random: random === null ? null : random / all };
}

interface Row {
  key: string;
  setting: string;
  keep: string;
  coordinates: number | null;
  values: Record<string, (number | null)[]>;
}

function rowsOf(runs: readonly BookRun[]): Row[] {
  const rows = new Map<string, Row>();
  for (const run of runs.filter((r) => r.qualified === true)) {
    const byId = new Map(run.steering.map((s) => [s.id, s]));
    for (const s of run.steering) {
      const { full, keep } = splitKeep(s.id);
      const whole = byId.get(full);
      if (!s.learned || keep === 'all' || !whole) continue;
      const key = `${groupKey(run)}|${s.id}`;
      const row = rows.get(key) ?? {
        key: groupKey(run),
        setting: full,
        keep,
        coordinates: s.learned.coordinates,
        values: { m2g: [], m2gRandom: [], g2m: [], g2mRandom: [], m2gFull: [], g2mFull: [] },
      };
      const [m, g] = [shares(whole, s, 'mem_to_gen'), shares(whole, s, 'gen_to_mem')];
      row.values.m2g!.push(m.top);
      row.values.m2gRandom!.push(m.random);
      row.values.g2m!.push(g.top);
      row.values.g2mRandom!.push(g.random);
      row.values.m2gFull!.push(whole.mem_to_gen);
      row.values.g2mFull!.push(whole.gen_to_mem);
      rows.set(key, row);
    }
  }
  return [...rows.values()];
}

/** One row per run whose pre-declared setting is a learned direction: its per-item reliability. */
function reliabilityTable(runs: readonly BookRun[]): string | null {
  const withIt = runs.filter((r) => r.reliability);
  if (withIt.length === 0) return null;
  const auc = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
  return table(
    [
      'run',
      'setting',
      'Mem→Gen switch / neither / wrong way',
      'Gen→Mem switch / neither / wrong way',
      'held-out AUC (M→G, G→M)',
    ],
    withIt.map((r) => {
      const x = r.reliability!;
      const three = (d: typeof x.memToGen) => `${pct(d.switched)} / ${pct(d.other)} / ${pct(d.wrongWay)}`;
      return [
        r.run_id,
        `\`${x.setting}\``,
        three(x.memToGen),
        three(x.genToMem),
        `${auc(x.heldOut?.memToGen.auc)}, ${auc(x.heldOut?.genToMem.auc)}`,
      ];
    }),
  );
}

/** The section, or null when no run has a restricted learned direction or a reliability record. */
export function learnedSection(runs: readonly BookRun[]): string | null {
  const rows = rowsOf(runs);
  const reliability = reliabilityTable(runs);
  if (rows.length === 0 && reliability === null) return null;
  const cell = (xs: (number | null)[]) => meanSd(summarise(xs), (x) => pct(x));
  const body = table(
    [
      'configuration',
      'full setting',
      'kept',
      'coords',
      'full Mem→Gen',
      'Mem→Gen share: top k',
      'k random',
      'full Gen→Mem',
      'Gen→Mem share: top k',
      'k random',
    ],
    rows.map((r) => [
      r.key,
      `\`${r.setting}\``,
      r.keep,
      String(r.coordinates ?? '—'),
      cell(r.values.m2gFull!),
      cell(r.values.m2g!),
      cell(r.values.m2gRandom!),
      cell(r.values.g2mFull!),
      cell(r.values.g2m!),
      cell(r.values.g2mRandom!),
    ]),
  );
  return [
    '## Learned directions: what k neurons keep, and which items move',
    "Each learned vector kept to its site's top k coordinates by |r|, beside k random coordinates of the " +
      'same site and norm; share = switch rate under the restricted vector ÷ under the full one (qualified ' +
      'seeds, mean ± sd).',
    ...(rows.length > 0 ? [body] : []),
    ...(reliability
      ? [
          "Per-item reliability of each run's pre-declared learned direction on its steering set (switch = items " +
            "moved to the other class's answer; neither = items moved off their answer to a third one; wrong " +
            'way = items of the other class pushed across), and on its held-out pairs the AUC of cos(own difference, ' +
            'vector) for switching (0.5 = no prediction):',
          reliability,
        ]
      : []),
  ].join('\n\n');
}
