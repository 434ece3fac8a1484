/**
 * Stage `report` (SPEC §9): report.md with the paper-style tables and figures, every effect beside
 * its control and interval, the paper's numbers beside ours, and results.json. It reports whatever
 * is current for this config, and says plainly what did not run and why.
 */
import { rm } from 'node:fs/promises';
import { writeFileAtomic, writeJson } from '@memgen/common';
import { defineStudyStage } from '../../registry/declaration.js';
import type { StageContext } from '../../stage.js';
import { RUN_FILES, runPath } from '../run-dir.js';
import type { SwitchDirection } from '../steering-summary.js';
import type { StudySpec } from '../study-model.js';
import { buildFigures, renderFigures } from './figures.js';
import { loadReportInputs, type ReportInputs } from './inputs.js';
import { section, table } from './markdown.js';
import { referenceNumbers } from './paper.js';
import { buildResults, primarySetting } from './results.js';
import {
  differentiationSection,
  type FigureIndex,
  pairsSection,
  probesSection,
  trainingSection,
} from './sections-measures.js';
import { patchingSection } from './sections-patching.js';
import { consistencySection, directionCell, settingLabel, steeringSection } from './sections-steering.js';
import { num, pct } from './verdicts.js';

export interface ReportResult {
  figures: string[];
  stopped: string | null;
}

/** Why the statistics did not run, when the pairs were too few. */
export function stoppedReason(inp: ReportInputs): string | null {
  const p = inp.pairs;
  if (!p) return 'the pairs stage has not run.';
  const min = inp.spec.study.pairs.minPairs;
  if (p.kept < min) {
    return (
      `only ${p.kept} flipped pairs (flip rate ${pct(p.flipRate, 2)} over ${p.pairsDecoded} decoded pairs); ` +
      `the statistics need at least ${min} (pairs.minPairs). A model that shows both behaviours on the conflict ` +
      'set, or a larger pairs.maxItems, is needed before neuron statistics mean anything.'
    );
  }
  return null;
}

function paperSection(inp: ReportInputs): string | null {
  if (!inp.pairs) return null;
  const ref = referenceNumbers(inp.pairs.task.name);
  const s = primarySetting(inp.steering);
  const switchCell = (dir: SwitchDirection) =>
    s ? `${directionCell(s, dir)}; at the pre-declared ${settingLabel(s)}` : 'not measured';
  const stats = inp.stats?.summary;
  const probes = inp.probes;
  const bestOf = (rows: { site: string; mean: number }[]) => rows.reduce((a, b) => (b.mean > a.mean ? b : a));
  const rows = [
    [
      'flip rate',
      ref.flipRate === null ? '—' : `≈ ${pct(ref.flipRate)}`,
      ref.prototype.flipRate,
      pct(inp.pairs.flipRate, 2),
    ],
    ['ITI Mem→Gen', pct(ref.memToGen), ref.prototype.memToGen, switchCell('mem_to_gen')],
    ['ITI Gen→Mem', pct(ref.genToMem), ref.prototype.genToMem, switchCell('gen_to_mem')],
    [
      'random intervention',
      ref.random,
      ref.prototype.random,
      s
        ? `paper control: Mem→Gen ${pct(s.mem_to_gen_paper_control)}, Gen→Mem ${pct(s.gen_to_mem_paper_control)}`
        : 'not measured',
    ],
    [
      'mean |NMD| by layer',
      ref.meanAbsNmd,
      ref.prototype.meanAbsNmd,
      stats
        ? `${stats.resid.sites.map((x) => num(x.meanAbsNmd, 4)).join(' / ')}; ${stats.resid.noise.atNoiseLevel ? '|r| at noise level' : '|r| above noise level'}`
        : 'not measured',
    ],
    [
      'probe accuracy',
      ref.probe,
      ref.prototype.probe,
      probes
        ? `best raw ${num(bestOf(probes.resid.raw).mean)}, best centred ${num(bestOf(probes.resid.centred).mean)} ` +
          `(shuffled ≈ ${num(bestOf(probes.resid.shuffledCentred).mean)}, chance 0.5)`
        : 'not measured',
    ],
  ];
  return section(
    'Beside the paper (SPEC §9)',
    table(['quantity', 'paper', 'prototype (color 1-hop, 111 k params)', 'this run'], rows),
  );
}

function stageTimes(inp: ReportInputs): string {
  const rows = Object.entries(inp.records).map(([name, r]) => {
    const timing = inp.timings[name];
    return [
      name,
      r?.config_hash.slice(0, 12) ?? '',
      timing ? timing.wall_s.toFixed(2) : '—',
      timing?.finished_at ?? '—',
    ];
  });
  return section(
    'Stages',
    'The stages whose artefacts this report shows, each with the hash of the config it ran with; its record ' +
      'holds the SHA-256 of every file it read and wrote. Wall times where the stage ran in this directory.',
    table(['stage', 'config hash', 'wall s', 'finished'], rows),
  );
}

function header(inp: ReportInputs): string {
  const task = inp.pairs?.task.name ?? inp.spec.task?.name ?? 'unknown task';
  const m = inp.model;
  const model = m
    ? `GPT (${m.nLayer} layers, d_model ${m.nEmbd}, ${m.nHead} heads, vocabulary ${m.vocabSize})`
    : '';
  return [
    `# memgen study: ${task}`,
    `${model}${model ? ', ' : ''}study seed ${inp.spec.study.seed}. Method: SPEC §4–§9 ` +
      '(flipped pairs → activations → NMD / r → probes → steering → consistency).',
  ].join('\n\n');
}

async function runReport(spec: StudySpec, ctx: StageContext, hash: string): Promise<ReportResult> {
  const inp = await loadReportInputs(spec, ctx.runDir);
  const stopped = stoppedReason(inp);
  const figures = buildFigures(inp);
  const figDir = runPath(ctx.runDir, RUN_FILES.figures);
  // Figures of a previous config must not survive next to a report that no longer shows them.
  await rm(figDir, { recursive: true, force: true });
  await renderFigures(figures, figDir);
  const figs: FigureIndex = new Map(figures.map((f) => [f.name, f]));
  const markdown = [
    header(inp),
    paperSection(inp),
    trainingSection(inp, figs),
    pairsSection(inp, stopped),
    differentiationSection(inp, figs),
    probesSection(inp, figs),
    steeringSection(inp, figs),
    patchingSection(inp, figs),
    consistencySection(inp),
    stageTimes(inp),
  ]
    .filter((s): s is string => s !== null)
    .join('\n\n');
  await writeFileAtomic(runPath(ctx.runDir, RUN_FILES.report), `${markdown}\n`);
  await writeJson(runPath(ctx.runDir, RUN_FILES.results), buildResults(inp, hash, stopped));
  return { figures: figures.map((f) => f.name), stopped };
}

export const reportStage = defineStudyStage<ReportResult>({
  name: 'report',
  group: 'steering',
  upstream: 'all',
  outputs: [RUN_FILES.report, RUN_FILES.results, `${RUN_FILES.figures}/`],
  config: (spec) => ({ study: spec.study, task: spec.task ?? null }),
  run: runReport,
  runsAfterStop: true,
  onChangedOutput: 'rerun',
});
