/**
 * `memgen data` — writes a task's split as JSONL; `memgen data stats` — describes one.
 *
 *   memgen data --task color --split conflict --seed 1 --n 500 --out conflict.jsonl
 *   memgen data stats --task color --in conflict.jsonl
 *   memgen data stats --task addition --split train --seed 1 --n 2000   (generated on the fly)
 *
 * The shared options live on `data` itself (commander hands options given after `stats` to the
 * parent unless the root enables positional options), and `stats` reads them with optsWithGlobals.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkLimit, parseSeed, SpecError } from '@memgen/common';
import {
  computeStats,
  conflictRecord,
  type DataStats,
  generateSplit,
  makeTask,
  readReferenceData,
  SPLITS,
  type SplitName,
  TASK_NAMES,
  type Task,
  toJsonl,
} from '@memgen/tasks';
import type { Command } from 'commander';

interface DataOptions {
  task?: string;
  split: string;
  seed: string;
  n?: string;
  out?: string;
  config?: string;
  source: string;
  in?: string;
  json?: boolean;
}

/** `--n`: decimal digits within the items cap, checked before a single record is generated. */
function itemCount(value: string | undefined): number {
  if (value === undefined) throw new Error('--n is required');
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new SpecError(
      `--n: expected a non-negative integer in decimal digits, got ${JSON.stringify(value)}`,
    );
  checkLimit('items', n, '--n');
  return n;
}

/** `--config` is inline JSON (starts with `{`) or the path of a JSON file. */
function readConfig(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const text = value.trimStart().startsWith('{') ? value : readFileSync(value, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`--config: not valid JSON (${(err as Error).message})`);
  }
}

function taskFrom(opts: DataOptions): Task {
  if (opts.task === undefined) throw new Error(`--task is required (one of ${TASK_NAMES.join(', ')})`);
  return makeTask(opts.task, readConfig(opts.config));
}

function splitFrom(opts: DataOptions): SplitName {
  if (!(SPLITS as readonly string[]).includes(opts.split)) {
    throw new Error(`--split: expected one of ${SPLITS.join(', ')}, got ${JSON.stringify(opts.split)}`);
  }
  return opts.split as SplitName;
}

/** The authors' items of a split (n = 0 means all of them). */
function referenceRecords(task: Task, split: SplitName, n: number): object[] {
  const ref = readReferenceData();
  const pick = <T>(items: readonly T[] | undefined, what: string): T[] => {
    if (items === undefined) throw new Error(`reference data has no ${what} for task ${task.name}`);
    return n > 0 ? items.slice(0, n) : items.slice();
  };
  const train =
    task.name === 'addition' ? ref.addition.train : task.name === 'cipher' ? ref.cipher.train : undefined;
  const conflict =
    task.name === 'addition' ? ref.addition.val : task.name === 'cipher' ? ref.cipher.val : ref.color.iti;
  switch (split) {
    case 'train':
      return pick(train, 'training items').map(({ prompt, target, kind, answer }) => ({
        prompt,
        target,
        kind,
        answer,
      }));
    case 'conflict':
      return pick(conflict, 'conflict items').map(conflictRecord);
    case 'pairs':
      return pick(task.name === 'cipher' ? ref.cipher.pairs : undefined, 'pairs').map(([a, b]) => ({
        original: conflictRecord(a),
        variant: conflictRecord(b),
      }));
    default:
      throw new Error(`reference data has no ${split} split`);
  }
}

function generate(opts: DataOptions): { task: Task; records: readonly object[]; note: string } {
  const task = taskFrom(opts);
  const split = splitFrom(opts);
  if (opts.source === 'reference') {
    const records = referenceRecords(task, split, opts.n === undefined ? 0 : itemCount(opts.n));
    return { task, records, note: 'from the reference data' };
  }
  if (opts.source !== 'generated') {
    throw new Error(`--source: expected generated or reference, got ${JSON.stringify(opts.source)}`);
  }
  const result = generateSplit(task, split, parseSeed(opts.seed, '--seed'), itemCount(opts.n));
  const note = split === 'pairs' ? `${result.identicalSkipped} identical variants skipped` : 'generated';
  return { task, records: result.records, note };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

function formatStats(taskName: string, s: DataStats): string {
  const lines = [`task ${taskName} · ${s.records} ${s.shape} records`];
  const kinds = Object.entries(s.kinds);
  if (kinds.length > 0)
    lines.push(`kinds: ${kinds.map(([k, n]) => `${k} ${n} (${pct(n / s.records)})`).join(', ')}`);
  lines.push(
    `trigger rate: ${pct(s.triggerRate)}` +
      (s.shape === 'train' ? `   mem-target rate: ${pct(s.memTargetRate)}` : ''),
  );
  for (const [field, h] of Object.entries(s.answers)) {
    const top = h.top.map(([a, n]) => `${JSON.stringify(a)} ${n}`).join(', ');
    lines.push(`${field} answers (${h.distinct} distinct): ${top}${h.distinct > h.top.length ? ', …' : ''}`);
  }
  lines.push('tokens:');
  for (const [field, t] of Object.entries(s.tokens)) {
    lines.push(
      `  ${field.padEnd(12)} min ${num(t.min)}  mean ${num(t.mean)}  p50 ${t.p50}  p90 ${t.p90}  max ${t.max}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function readJsonl(path: string): unknown[] {
  if (!existsSync(path)) throw new Error(`--in: ${path} does not exist`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new Error(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`);
      }
    });
}

/** Registers `memgen data` and `memgen data stats` on `program`. */
export function registerDataCommand(program: Command): void {
  const data = program
    .command('data')
    .description('write a task split as JSONL (train, conflict, pairs, rule, memorized)')
    .option('--task <name>', `task: ${TASK_NAMES.join(' | ')}`)
    .option('--split <split>', `split: ${SPLITS.join(' | ')}`, 'train')
    .option('--seed <int>', 'data seed', '0')
    .option('--n <int>', 'number of records (pairs: non-identical pairs)')
    .option('--out <file>', 'output .jsonl file')
    .option('--config <json|file>', 'task config overrides: inline JSON or a JSON file')
    .option('--source <source>', 'generated | reference (the authors’ data)', 'generated')
    .action((opts: DataOptions) => {
      if (opts.out === undefined) throw new Error('--out is required');
      const { records, note } = generate(opts);
      mkdirSync(dirname(opts.out), { recursive: true });
      writeFileSync(opts.out, toJsonl(records));
      process.stderr.write(`data: wrote ${records.length} records to ${opts.out} (${note})\n`);
    });

  data
    .command('stats')
    .description('trigger rate, answer distribution and token lengths of a JSONL file or a generated split')
    .option('--in <file>', 'a .jsonl file written by `memgen data` (else the split is generated)')
    .option('--json', 'print JSON instead of text')
    .action((_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<DataOptions>();
      const task = taskFrom(opts);
      const records = opts.in !== undefined ? readJsonl(opts.in) : generate(opts).records;
      const stats = computeStats(task, records);
      process.stdout.write(opts.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(task.name, stats));
    });
}
