/**
 * Stage `report` (docs/method.md §9): report.md with the paper-style tables and figures, every
 * effect beside its control and interval, the paper's numbers beside memgen's, and results.json. It
 * reports whatever is current for this config in the chain it runs in, and says plainly what did not
 * run and why. Each stage's section lives in its own folder; this stage puts them in order.
 */
import { rm } from 'node:fs/promises';
import { writeFileAtomic, writeJson } from '@memgen/common';
import { defineStudyStage, type StageDeclaration } from '../../registry/declaration.js';
import type { StageContext } from '../../stage.js';
import type { FigureIndex } from '../common/figures.js';
import { runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { pct } from '../common/verdicts.js';
import { consistencySection } from '../consistency/report.js';
import { pairsSection } from '../pairs/report.js';
import { patchingSection } from '../patching/report.js';
import { probesSection } from '../probes/report.js';
import { differentiationSection } from '../stats/report.js';
import { steeringSection } from '../steer/report/section.js';
import { buildFigures, renderFigures } from './figures.js';
import { REPORT_FILES } from './files.js';
import { loadReportInputs, type ReportInputs } from './inputs.js';
import { buildResults } from './results.js';
import { header, paperSection, stageTimes } from './sections.js';
import { trainingSection } from './training.js';

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

/** report.md: the header, the paper comparison, then each stage's section in run order. */
function reportMarkdown(inp: ReportInputs, figs: FigureIndex, stopped: string | null): string {
  return [
    header(inp),
    paperSection(inp),
    trainingSection(inp, figs),
    pairsSection(inp.pairs, stopped),
    differentiationSection(inp.stats?.summary ?? null, figs),
    probesSection(inp.probes, figs),
    steeringSection(inp.steering, figs),
    patchingSection(inp.patching, figs),
    consistencySection(inp.consistency),
    stageTimes(inp),
  ]
    .filter((s): s is string => s !== null)
    .join('\n\n');
}

async function runReport(
  spec: StudySpec,
  ctx: StageContext,
  hash: string,
  chain: readonly StageDeclaration[],
): Promise<ReportResult> {
  const inp = await loadReportInputs(spec, ctx.runDir, chain);
  const stopped = stoppedReason(inp);
  const figures = buildFigures(inp);
  const figDir = runPath(ctx.runDir, REPORT_FILES.figures);
  // Figures of a previous config must not survive next to a report that no longer shows them.
  await rm(figDir, { recursive: true, force: true });
  await renderFigures(figures, figDir);
  const figs: FigureIndex = new Map(figures.map((f) => [f.name, f]));
  const markdown = reportMarkdown(inp, figs, stopped);
  await writeFileAtomic(runPath(ctx.runDir, REPORT_FILES.report), `${markdown}\n`);
  await writeJson(runPath(ctx.runDir, REPORT_FILES.results), buildResults(inp, hash, stopped));
  return { figures: figures.map((f) => f.name), stopped };
}

export const reportStage = defineStudyStage<ReportResult>({
  name: 'report',
  group: 'steering',
  upstream: 'all',
  outputs: [REPORT_FILES.report, REPORT_FILES.results, `${REPORT_FILES.figures}/`],
  config: (spec) => ({ study: spec.study, task: spec.task ?? null }),
  run: runReport,
  runsAfterStop: true,
  onChangedOutput: 'rerun',
});
