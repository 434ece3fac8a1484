/**
 * Stage `record` (SPEC §4): run every kept member's prompt once (no generation) and record, at the
 * last prompt token, the residual stream (`embed` + every `blocks.{i}.resid_post`) and optionally
 * the MLP neurons (`blocks.{i}.mlp.post`). Writes activations.safetensors.
 */
import { makeActivations } from '@memgen/analysis';
import {
  disposeInput,
  type ForwardInput,
  leftPad,
  type Recording,
  recordActivations,
  residualSites,
  toForwardInput,
} from '@memgen/model';
import { defineStudyStage } from '../registry/declaration.js';
import { checkAborted, type StageContext } from '../stage.js';
import { type ActivationSet, type StudyActivations, writeActivations } from './activations-file.js';
import { type PairLine, readPairs } from './pairs-file.js';
import { RUN_FILES, runPath } from './run-dir.js';
import type { StudySpec } from './study-model.js';
import { openStudyModel } from './study-model.js';

export interface RecordResult {
  pairs: number;
  /** [pairs, sites, width] of "mem"/"gen". */
  residShape: [number, number, number];
  mlpShape: [number, number, number] | null;
  sites: string[];
}

/**
 * A batch of pairs as one forward input: rows 0..b-1 the mem members, b..2b-1 the gen members, left
 * padded so every row's last prompt token is the last column (what 'last' records and patches).
 */
export function memberInput(batch: readonly PairLine[], padId: number): ForwardInput {
  return toForwardInput(
    leftPad([...batch.map((p) => p.mem.tokens), ...batch.map((p) => p.gen.tokens)], padId),
  );
}

/** Zeroed mem/gen buffers for `n` pairs at `sites` of `width`. */
function emptySet(n: number, sites: string[], width: number): ActivationSet {
  const make = () => makeActivations(new Float32Array(n * sites.length * width), n, sites.length, width);
  return { sites, mem: make(), gen: make() };
}

async function runRecord(spec: StudySpec, ctx: StageContext, hash: string): Promise<RecordResult> {
  const cfg = spec.study.record;
  const pairs = await readPairs(runPath(ctx.runDir, RUN_FILES.pairs));
  if (pairs.length === 0) throw new Error(`${RUN_FILES.pairs} has no pairs: nothing to record`);
  const opened = await openStudyModel(spec, ctx.runDir);
  const { model, tokenizer } = opened;
  const { nLayer, nEmbd, nInner } = model.config;
  const n = pairs.length;
  const resid = emptySet(n, residualSites(nLayer), nEmbd);
  const mlp = cfg.mlpPost
    ? emptySet(
        n,
        Array.from({ length: nLayer }, (_, i) => `blocks.${i}.mlp.post`),
        nInner,
      )
    : undefined;
  const sets = mlp ? [resid, mlp] : [resid];
  const hooks = sets.flatMap((s) => s.sites);
  try {
    for (let from = 0; from < n; from += cfg.batchSize) {
      checkAborted(ctx);
      const batch = pairs.slice(from, from + cfg.batchSize);
      const b = batch.length;
      const input = memberInput(batch, tokenizer.padId);
      let recording: Recording<void>;
      try {
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
            if (passes?.length !== 1)
              throw new Error(`hook '${name}' recorded ${passes?.length ?? 0} passes`);
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
      ctx.progress({ stage: 'record', done: Math.min(n, from + b), total: n });
    }
  } finally {
    opened.dispose();
  }
  const acts: StudyActivations = { resid, configHash: hash };
  if (mlp) acts.mlpPost = mlp;
  await writeActivations(runPath(ctx.runDir, RUN_FILES.activations), acts);
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
  reads: [`${RUN_FILES.checkpoint}/`, RUN_FILES.pairs],
  outputs: [RUN_FILES.activations],
  config: (spec) => ({ record: spec.study.record, task: spec.task ?? null }),
  run: runRecord,
  onChangedOutput: 'rerun',
});
