/**
 * Stage `record` (docs/method.md §4): run every kept member's prompt once (no generation) and
 * record, at the last prompt token, the residual stream (`embed` + every `blocks.{i}.resid_post`)
 * and optionally the MLP neurons (`blocks.{i}.mlp.post`). Writes activations.safetensors.
 */
import { makeActivations } from '@memgen/analysis';
import {
  blockHook,
  disposeInput,
  type GPT,
  type Recording,
  recordActivations,
  residualSites,
} from '@memgen/model';
import { defineStudyStage } from '../../registry/declaration.js';
import { checkAborted, type StageContext } from '../../stage.js';
import { RUN_DIR_FILES, runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { openStudyModel } from '../common/study-model.js';
import { PAIRS_FILES } from '../pairs/files.js';
import { memberInput } from '../pairs/member-input.js';
import { type PairLine, readPairs } from '../pairs/pairs-file.js';
import { type ActivationSet, type StudyActivations, writeActivations } from './activations-file.js';
import { RECORD_FILES } from './files.js';

export interface RecordResult {
  pairs: number;
  /** [pairs, sites, width] of "mem"/"gen". */
  residShape: [number, number, number];
  mlpShape: [number, number, number] | null;
  sites: string[];
}

/** Zeroed mem/gen buffers for `n` pairs at `sites` of `width`. */
function emptySet(n: number, sites: string[], width: number): ActivationSet {
  const make = () => makeActivations(new Float32Array(n * sites.length * width), n, sites.length, width);
  return { sites, mem: make(), gen: make() };
}

/** The residual set and, with record.mlpPost, the MLP-neuron set, zeroed for `n` pairs. */
function emptySets(model: GPT, n: number, mlpPost: boolean): { resid: ActivationSet; mlp?: ActivationSet } {
  const { nLayer, nEmbd, nInner } = model.config;
  const resid = emptySet(n, residualSites(nLayer), nEmbd);
  if (!mlpPost) return { resid };
  const mlpSites = Array.from({ length: nLayer }, (_, i) => blockHook(i, 'mlp.post'));
  return { resid, mlp: emptySet(n, mlpSites, nInner) };
}

/** Records one batch (pairs `from`..`from + b − 1`) into every set at the last position. */
function recordBatch(
  model: GPT,
  padId: number,
  batch: readonly PairLine[],
  from: number,
  sets: readonly ActivationSet[],
): void {
  const b = batch.length;
  const input = memberInput(batch, padId);
  let recording: Recording<void>;
  try {
    const hooks = sets.flatMap((s) => s.sites);
    recording = recordActivations(model, hooks, () => model.forward(input).dispose(), 'last');
  } finally {
    disposeInput(input);
  }
  try {
    for (const set of sets) {
      const width = set.mem.width;
      const stride = set.sites.length * width;
      set.sites.forEach((name, s) => {
        const passes = recording.activations.get(name);
        if (passes?.length !== 1) throw new Error(`hook '${name}' recorded ${passes?.length ?? 0} passes`);
        const rows = passes[0]!.dataSync() as Float32Array; // [2b, width]
        for (let k = 0; k < b; k++) {
          const at = (from + k) * stride + s * width;
          (set.mem.data as Float32Array).set(rows.subarray(k * width, (k + 1) * width), at);
          (set.gen.data as Float32Array).set(rows.subarray((b + k) * width, (b + k + 1) * width), at);
        }
      });
    }
  } finally {
    for (const list of recording.activations.values()) for (const t of list) t.dispose();
  }
}

async function runRecord(spec: StudySpec, ctx: StageContext, hash: string): Promise<RecordResult> {
  const cfg = spec.study.record;
  const pairs = await readPairs(runPath(ctx.runDir, PAIRS_FILES.pairs));
  if (pairs.length === 0) throw new Error(`${PAIRS_FILES.pairs} has no pairs: nothing to record`);
  const opened = await openStudyModel(spec, ctx.runDir);
  const { model, tokenizer } = opened;
  const { nEmbd, nInner } = model.config;
  const n = pairs.length;
  const { resid, mlp } = emptySets(model, n, cfg.mlpPost);
  const sets = mlp ? [resid, mlp] : [resid];
  try {
    for (let from = 0; from < n; from += cfg.batchSize) {
      checkAborted(ctx);
      const batch = pairs.slice(from, from + cfg.batchSize);
      recordBatch(model, tokenizer.padId, batch, from, sets);
      ctx.progress({ stage: 'record', done: Math.min(n, from + batch.length), total: n });
    }
  } finally {
    opened.dispose();
  }
  const acts: StudyActivations = { resid, configHash: hash };
  if (mlp) acts.mlpPost = mlp;
  await writeActivations(runPath(ctx.runDir, RECORD_FILES.activations), acts);
  return {
    pairs: n,
    residShape: [n, resid.sites.length, nEmbd],
    mlpShape: mlp ? [n, mlp.sites.length, nInner] : null,
    sites: resid.sites,
  };
}

export const recordStage = defineStudyStage<RecordResult>({
  name: 'record',
  group: 'recording',
  upstream: ['train', 'pairs'],
  reads: [`${RUN_DIR_FILES.checkpoint}/`, PAIRS_FILES.pairs],
  outputs: [RECORD_FILES.activations],
  config: (spec) => ({ record: spec.study.record, task: spec.task ?? null }),
  run: runRecord,
  onChangedOutput: 'rerun',
});
