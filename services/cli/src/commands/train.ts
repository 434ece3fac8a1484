/** `memgen train --task T --preset P [--size MODEL] --seed S --out DIR`, or `memgen train --spec FILE [--seed S]` */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configHash, parseSeed, parseSpecText } from '@memgen/common';
import { parseTrainSpec, type TrainSpec, trainPreset, trainStage } from '@memgen/pipeline';
import { initBackend } from '@memgen/tensor';
import type { Command } from 'commander';
import { progressView } from '../progress.js';

interface TrainOptions {
  task?: string;
  preset: string;
  size?: string;
  seed?: string;
  out?: string;
  spec?: string;
}

/**
 * The training spec the flags ask for: the preset's, or the --spec file's. A seed in the file is
 * kept unless --seed is given (then --seed wins), so a spec file never trains another seed silently.
 */
export function resolveTrainSpec(o: TrainOptions): TrainSpec {
  if (o.spec && o.size) throw new Error('--size applies to a preset; set model.preset in the --spec file');
  let input: unknown;
  if (o.spec) {
    const file = parseSpecText(readFileSync(o.spec, 'utf8'), 'train spec') as Record<string, unknown>;
    input = o.seed === undefined ? file : { ...file, seed: parseSeed(o.seed, '--seed') };
  } else {
    if (o.task === undefined) throw new Error('give --task (color | addition | cipher), or --spec FILE');
    input = trainPreset(o.task, o.preset, o.seed === undefined ? 0 : parseSeed(o.seed, '--seed'), o.size);
  }
  const spec = parseTrainSpec(input);
  if (o.task !== undefined && spec.task.name !== o.task)
    throw new Error(`--task ${o.task} but the spec trains ${spec.task.name}`);
  return spec;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a model from scratch on a task (phases, evaluation, checkpoint selection, resume)')
    .option('--task <name>', "color | addition | cipher (with --spec: the file's, checked if given)")
    .option('--preset <name>', 'smoke | quick | paper', 'quick')
    .option('--size <model>', "model size (libs/model preset: micro, tiny, small, …); default: the preset's")
    .option(
      '--seed <n>',
      "seed of data, initialisation and evaluation sets (default: the --spec file's, else 0)",
    )
    .option('--spec <file>', 'a full training spec (JSON or YAML) instead of the preset')
    .option('--out <dir>', 'run directory (default runs/<task>-<preset>-s<seed>)')
    .action(async (o: TrainOptions) => {
      const spec = resolveTrainSpec(o);
      const seed = spec.seed;
      const name = o.spec ? 'custom' : `${o.preset}${o.size ? `-${o.size}` : ''}`;
      const runDir = o.out ?? join('runs', `${spec.task.name}-${name}-s${seed}`);
      await mkdir(runDir, { recursive: true });
      await writeFile(
        join(runDir, 'config.json'),
        `${JSON.stringify({ train: spec, config_hash: configHash({ train: spec }) }, null, 2)}\n`,
      );
      await initBackend();
      const view = progressView();
      const t0 = Date.now();
      try {
        const r = await trainStage(spec, {
          runDir,
          progress: (p) => view.update(p),
          log: (l) => view.log(l),
        });
        view.stop();
        const f = r.final;
        process.stdout.write(
          `trained ${r.steps} steps in ${((Date.now() - t0) / 60000).toFixed(1)} min → ${runDir}\n` +
            `final: gen ${f.gen} mem ${f.mem} other ${f.other} of ${f.n}; rule accuracy ${f.rule_acc.toFixed(3)} ` +
            `(shortcut baseline ${f.shortcut_baseline.toFixed(3)}); memorized ${f.mem_acc.toFixed(3)}\n` +
            (r.qualified
              ? `selected checkpoint: step ${r.selectedStep} (max gen × mem among evaluations beating the baseline by ${spec.selection.margin})\n`
              : `no evaluation beat the shortcut baseline by ${spec.selection.margin}: checkpoint/ holds the last weights, marked unqualified\n`),
        );
      } finally {
        view.stop();
      }
    });
}
