/**
 * Calibrated sublayers: the rule that picks, per model, which sublayer output a sublayer setting
 * changes toward gen and which toward mem. Each candidate sublayer gets the setting's own operation
 * (×(1 + α), or its pooled mean) on the flipped-pair members of pairs.jsonl, one forward pass per
 * batch, and the first answer token is read as in patching: the partner's ('switched'), its own
 * ('kept') or neither ('other'). toGen is the sublayer with the most mem members switched net of
 * those turned to 'other', toMem the same over gen members; ties go to the earlier sublayer. The
 * pairs are the study's, the steering set is fresh items: the choice never sees what it is judged on.
 */
import type { GPT } from '@memgen/model';
import type { PairLine } from '../../pairs/pairs-file.js';
import { countCandidates } from './candidate-counts.js';
import type { SettingSpec } from './ids.js';
import type { SteeringInputs } from './inputs.js';
import type { CandidateCounts, SublayerCalibration } from './setting-plan.js';
import { allSublayers, sublayerOperation } from './sublayers.js';

/** Whether a setting chooses any of its sublayers by calibration. */
export function needsCalibration(s: SettingSpec): boolean {
  const f = s.family;
  return (
    (f.kind === 'sublayer-ablate' || f.kind === 'sublayer-scale') &&
    (f.toGen === 'calibrated' || f.toMem === 'calibrated')
  );
}

/** The candidate with the largest switched − other in one direction; the first of equals. */
function best(candidates: readonly CandidateCounts[], direction: 'memToGen' | 'genToMem'): string {
  let pick = candidates[0]!;
  const score = (c: CandidateCounts) => c[direction].switched - c[direction].other;
  for (const c of candidates) if (score(c) > score(pick)) pick = c;
  return pick.hook;
}

/**
 * Calibrates one setting on `pairs`: every sublayer of the model under the setting's operation.
 * Rows are [mem members…, gen members…] as in patching.
 * @throws Error when no pair has members with different first tokens
 */
export function calibrateSetting(
  s: SettingSpec,
  inputs: SteeringInputs,
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  batchSize: number,
): SublayerCalibration {
  const op = sublayerOperation(s, inputs, model.config.nEmbd, false);
  const hooks = allSublayers(model.config.nLayer);
  const counted = countCandidates(
    model,
    padId,
    pairs,
    batchSize,
    hooks.map((hook) => ({ hook, interventions: op(hook) })),
    `setting '${s.id}'`,
  );
  const candidates = counted.candidates;
  return {
    pairsUsable: counted.pairsUsable,
    candidates,
    toGen: best(candidates, 'memToGen'),
    toMem: best(candidates, 'genToMem'),
  };
}

/** The calibration of every setting of the grid that asks for one, by setting id. */
export function calibrateGrid(
  grid: readonly SettingSpec[],
  inputs: SteeringInputs,
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  batchSize: number,
): Map<string, SublayerCalibration> {
  const out = new Map<string, SublayerCalibration>();
  for (const s of grid.filter(needsCalibration)) {
    out.set(s.id, calibrateSetting(s, inputs, model, padId, pairs, batchSize));
  }
  return out;
}
