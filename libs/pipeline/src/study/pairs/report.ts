/** The report's section on the flipped pairs (docs/method.md §4): flip rate and label combinations. */
import { section, table } from '../common/markdown.js';
import { referenceNumbers } from '../common/paper.js';
import { pct } from '../common/verdicts.js';
import type { PairsResult } from './stage.js';

/** `stoppedReason`: why the study stops after the pairs, when it does. */
export function pairsSection(p: PairsResult | null, stoppedReason: string | null): string {
  if (!p)
    return section(
      'Flipped pairs (docs/method.md §4)',
      'The pairs stage has not run for this configuration.',
    );
  const paper = referenceNumbers(p.task.name).flipRate;
  const c = p.combinations;
  const rows = [
    ['mem / gen (flipped, kept up to the target)', String(c['gen/mem'])],
    ['mem / mem', String(c['mem/mem'])],
    ['gen / gen', String(c['gen/gen'])],
    ['mem / other', String(c['mem/other'])],
    ['gen / other', String(c['gen/other'])],
    ['other / other', String(c['other/other'])],
    ['identical variant (not decoded)', String(p.identicalVariants)],
  ];
  const members = p.memberLabels;
  const decoded = members.mem + members.gen + members.other;
  return section(
    'Flipped pairs (docs/method.md §4)',
    `**Flip rate ${pct(p.flipRate, 2)}** (${p.flipped} of ${p.pairsDecoded} decoded pairs; paper: ` +
      `${paper === null ? 'not reported for this task' : pct(paper)}). Kept ${p.kept} pairs (target ${p.target}) ` +
      `from ${p.itemsDrawn} conflict items; decoding: ${p.decoding.beamWidth === 1 ? 'greedy' : `beam ${p.decoding.beamWidth}`}.`,
    `All decoded prompts: mem ${pct(members.mem / decoded)}, gen ${pct(members.gen / decoded)}, ` +
      `other ${pct(members.other / decoded)} of ${decoded}.`,
    table(['pair labels (item / variant, unordered)', 'pairs'], rows),
    stoppedReason ? `**The study stops here:** ${stoppedReason}` : null,
  );
}
