/**
 * Whether each stage's artefacts in a run directory belong to the current chain. A stage is current
 * only when its record carries the hash of its config slice, every output still has the digest it
 * wrote, every upstream stage is current, and the inputs it read are exactly the upstream files
 * there now, with the digests it read. So any upstream change, corrupt file or failed gate reaches
 * everything below it, and the report shows only what this chain made. Every function here takes
 * the chain's stages in run order (`stages`: the registry's list, or a test's) as an argument.
 */
import { join } from 'node:path';
import { configHash } from '@memgen/common';
import type { RunSpec, StageDeclaration } from '../registry/declaration.js';
import { stageIn, upstreamIn } from '../registry/order.js';
import { coveredBy, digestFiles, expandPaths, firstChanged } from './digests.js';
import { readStageRecord, type StageRecord, stageRecordFile } from './records.js';

/** Bump when a stage's output changes meaning for the same config (old artefacts then rerun). */
export const STUDY_CODE_VERSION = 2;

export type StageState =
  /** Its artefacts are this chain's. */
  | { state: 'current'; record: StageRecord }
  /** Not asked for by the spec; its outputs were supplied (a model trained elsewhere). */
  | { state: 'provided'; record?: StageRecord }
  /** Must run (again). */
  | { state: 'stale'; reason: string }
  /** A gate before it stopped the study; its files (if any) are not this chain's. */
  | { state: 'blocked'; reason: string }
  /** Its outputs changed after it wrote them and rerunning would not repair them. */
  | { state: 'refused'; reason: string };

export type ChainStates = Map<string, StageState>;

export function isUsable(
  s: StageState | undefined,
): s is Extract<StageState, { state: 'current' | 'provided' }> {
  return s?.state === 'current' || s?.state === 'provided';
}

/** The hash naming a stage's work under `spec`. */
export function stageConfigHash(stage: StageDeclaration, spec: RunSpec): string {
  return configHash({ stage: stage.name, version: STUDY_CODE_VERSION, config: stage.config(spec) });
}

/** The files `stage` reads now: its usable upstreams' outputs (as far as it reads them) and records. */
export async function currentInputs(
  stages: readonly StageDeclaration[],
  stage: StageDeclaration,
  runDir: string,
  states: ChainStates,
): Promise<Record<string, string>> {
  const files: string[] = [];
  for (const name of upstreamIn(stage, stages)) {
    const up = states.get(name);
    if (!isUsable(up)) continue;
    const declared = stageIn(stages, name);
    const outputs = await expandPaths(runDir, declared.outputs);
    files.push(...outputs.filter((f) => !stage.reads || coveredBy(f, stage.reads)));
    if (up.record) files.push(stageRecordFile(name));
  }
  return digestFiles(runDir, files);
}

function sameDigests(a: Record<string, string>, b: Record<string, string>): string | null {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[key] !== b[key]) return key;
  return null;
}

async function readRecord(runDir: string, name: string): Promise<StageRecord | undefined | Error> {
  return readStageRecord(runDir, name).catch((err: unknown) => err as Error);
}

/** A stage the spec does not ask for: usable when what it provides exists and was not altered. */
async function assessProvided(stage: StageDeclaration, runDir: string): Promise<StageState> {
  const record = await readRecord(runDir, stage.name);
  if ((await expandPaths(runDir, stage.outputs)).length === 0) {
    return {
      state: 'stale',
      reason: `not asked for, and none of ${stage.outputs.join(', ')} is in ${runDir}`,
    };
  }
  if (record instanceof Error || record === undefined) return { state: 'provided' };
  const changed = await firstChanged(runDir, record.outputs);
  if (changed) return { state: 'refused', reason: changedReason(stage, runDir, changed) };
  return { state: 'provided', record };
}

function changedReason(stage: StageDeclaration, runDir: string, file: string): string {
  return (
    `${join(runDir, file)} is not the file the ${stage.name} stage wrote (its SHA-256 differs from ` +
    `${stageRecordFile(stage.name)}): it was changed or damaged afterwards`
  );
}

/** The state of one stage of `stages`, given the states of the stages before it. */
export async function assessStage(
  stages: readonly StageDeclaration[],
  stage: StageDeclaration,
  spec: RunSpec,
  runDir: string,
  states: ChainStates,
): Promise<StageState> {
  if (stage.requested && !stage.requested(spec)) return assessProvided(stage, runDir);
  const record = await readRecord(runDir, stage.name);
  if (record instanceof Error) return { state: 'stale', reason: `unreadable record: ${record.message}` };
  if (!record) return { state: 'stale', reason: 'not run yet' };
  if (record.config_hash !== stageConfigHash(stage, spec))
    return { state: 'stale', reason: 'its config changed' };
  const changed = await firstChanged(runDir, record.outputs);
  if (changed) {
    const reason = changedReason(stage, runDir, changed);
    return stage.onChangedOutput === 'refuse' ? { state: 'refused', reason } : { state: 'stale', reason };
  }
  const waiting = upstreamIn(stage, stages).find((u) => !isUsable(states.get(u)) && !stage.runsAfterStop);
  if (waiting) return { state: 'stale', reason: `upstream stage '${waiting}' is not current` };
  const input = sameDigests(record.inputs, await currentInputs(stages, stage, runDir, states));
  if (input) return { state: 'stale', reason: `input ${input} changed` };
  return { state: 'current', record };
}

/** The gate reason a usable stage's record gives, or null. */
export function gateReason(
  stage: StageDeclaration,
  state: StageState | undefined,
  spec: RunSpec,
): string | null {
  if (!stage.gate || !isUsable(state) || !state.record) return null;
  return stage.gate(state.record.result, spec);
}

/** The state of each of `stages`, in run order (gates applied: stages after a stop are blocked). */
export async function assessChain(
  stages: readonly StageDeclaration[],
  spec: RunSpec,
  runDir: string,
): Promise<ChainStates> {
  const states: ChainStates = new Map();
  let stopped: string | null = null;
  for (const stage of stages) {
    if (stopped !== null && !stage.runsAfterStop) {
      states.set(stage.name, { state: 'blocked', reason: stopped });
      continue;
    }
    const state = await assessStage(stages, stage, spec, runDir, states);
    states.set(stage.name, state);
    stopped ??= gateReason(stage, state, spec);
  }
  return states;
}
