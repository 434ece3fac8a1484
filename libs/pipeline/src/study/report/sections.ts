/**
 * The report's own sections, around the stages' ones: the header that cites the method, the
 * comparison with the paper's numbers (docs/method.md §9), and the stages whose artefacts it shows.
 */
import { section, table } from '../common/markdown.js';
import { referenceNumbers } from '../common/paper.js';
import { num, pct } from '../common/verdicts.js';
import { directionCell, settingLabel } from '../steer/report/section.js';
import type { SwitchDirection } from '../steer/runs/summary.js';
import type { ReportInputs } from './inputs.js';
import { primarySetting } from './results.js';

export function header(inp: ReportInputs): string {
  const task = inp.pairs?.task.name ?? inp.spec.task?.name ?? 'unknown task';
  const m = inp.model;
  const model = m
    ? `GPT (${m.nLayer} layers, d_model ${m.nEmbd}, ${m.nHead} heads, vocabulary ${m.vocabSize}, ${m.positions} positions)`
    : '';
  return [
    `# memgen study: ${task}`,
    `${model}${model ? ', ' : ''}study seed ${inp.spec.study.seed}. Method: docs/method.md §4–§11 ` +
      '(flipped pairs → activations → NMD / r → probes → consistency → steering → patching).',
  ].join('\n\n');
}

/** Memgen's numbers beside the paper's, one row per quantity the paper reports. */
export function paperSection(inp: ReportInputs): string | null {
  if (!inp.pairs) return null;
  const ref = referenceNumbers(inp.pairs.task.name);
  const s = primarySetting(inp.steering);
  const switchCell = (dir: SwitchDirection) =>
    s ? `${directionCell(s, dir)}; at the pre-declared ${settingLabel(s)}` : 'not measured';
  const stats = inp.stats?.summary;
  const probes = inp.probes;
  const bestOf = (rows: { site: string; mean: number }[]) => rows.reduce((a, b) => (b.mean > a.mean ? b : a));
  const rows = [
    ['flip rate', ref.flipRate === null ? '—' : `≈ ${pct(ref.flipRate)}`, pct(inp.pairs.flipRate, 2)],
    ['ITI Mem→Gen', pct(ref.memToGen), switchCell('mem_to_gen')],
    ['ITI Gen→Mem', pct(ref.genToMem), switchCell('gen_to_mem')],
    [
      'random intervention',
      ref.random,
      s
        ? `paper control: Mem→Gen ${pct(s.mem_to_gen_paper_control)}, Gen→Mem ${pct(s.gen_to_mem_paper_control)}`
        : 'not measured',
    ],
    [
      'mean |NMD| by layer',
      ref.meanAbsNmd,
      stats
        ? `${stats.resid.sites.map((x) => num(x.meanAbsNmd, 4)).join(' / ')}; ${stats.resid.noise.atNoiseLevel ? '|r| at noise level' : '|r| above noise level'}`
        : 'not measured',
    ],
    [
      'probe accuracy',
      ref.probe,
      probes
        ? `best raw ${num(bestOf(probes.resid.raw).mean)}, best centred ${num(bestOf(probes.resid.centred).mean)} ` +
          `(shuffled ≈ ${num(bestOf(probes.resid.shuffledCentred).mean)}, chance 0.5)`
        : 'not measured',
    ],
  ];
  return section('Beside the paper (docs/method.md §9)', table(['quantity', 'paper', 'this run'], rows));
}

export function stageTimes(inp: ReportInputs): string {
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
