/**
 * Checkpoint selection: keep the checkpoint maximising gen × mem on the conflict set among those
 * with real rule skill (rule accuracy ≥ shortcut baseline + margin); ties go to the later one.
 */
import { join } from 'node:path';
import { type GPT, saveCheckpoint } from '@memgen/model';
import type { CurvePoint } from './curve.js';
import type { TrainRun } from './run-setup.js';
import type { Selection } from './state.js';

/** What a checkpoint carries besides its weights: tokenizer, training spec, and where it came from. */
export function checkpointExtras(run: TrainRun, p: CurvePoint, selection: string) {
  const tok = run.tok;
  return {
    tokenizer: tok.toJSON(),
    trainConfig: run.spec,
    specialTokens: { pad: tok.padId, eos: tok.eosId },
    metadata: {
      step: String(p.step),
      phase: p.phase,
      selection,
      gen: String(p.gen),
      mem: String(p.mem),
      other: String(p.other),
      rule_acc: String(p.rule_acc),
      shortcut_baseline: String(p.shortcut_baseline),
    },
  };
}

/** The selection after evaluation `p`: saves checkpoint/ when `p` beats the current one. */
export async function maybeSelect(
  current: Selection,
  p: CurvePoint,
  run: TrainRun,
  model: GPT,
): Promise<Selection> {
  if (p.rule_acc < p.shortcut_baseline + run.spec.selection.margin) return current;
  const score = p.gen * p.mem;
  if (score < current.score) return current;
  await saveCheckpoint(join(run.runDir, 'checkpoint'), model, checkpointExtras(run, p, 'selected'));
  return { score, step: p.step };
}
