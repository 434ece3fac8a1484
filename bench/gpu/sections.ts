/**
 * The device check's parts that run in its own process: the conformance set (every fused op and
 * gradient, decoding, a training trajectory and a study's pair labels, each against the cpu
 * backend) and the smoke run (the color smoke preset trained on webgpu).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quietContext, trainPreset, trainStage } from '@memgen/pipeline';
import { initBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { fusedCases } from '../../libs/tensor/src/conformance/cases.js';
import { closeness } from '../../libs/tensor/src/conformance/inputs.js';
import { type CaseResult, runConformance } from '../../libs/tensor/src/conformance/run.js';
import { decodeRun, fixtureCheckpoint, pairLabels, trajectory, worstRelative } from './parity.js';

export interface Parity {
  cases: CaseResult[];
  decode: { sameTokens: boolean; logitsMaxAbs: number };
  training: { preset: string; steps: number; lossRel: number; normRel: number; clipped: boolean };
  labels: { samePairs: boolean; sameLabels: boolean };
  seconds: number;
}

/** Every fused case on GPU programs (tfjs's CPU forwarding of small host-side inputs off). */
async function fusedOnGpu(): Promise<CaseResult[]> {
  await initBackend({ backend: 'webgpu', log: false });
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  try {
    return await runConformance('webgpu', fusedCases());
  } finally {
    tf.env().set('WEBGPU_CPU_FORWARD', true);
  }
}

/** The conformance set, as test/webgpu.test.ts asserts it, with its figures. */
export async function conformance(): Promise<Parity> {
  const start = performance.now();
  const cases = await fusedOnGpu();
  const [cpuDecode, gpuDecode] = [
    await decodeRun('cpu', 'nano', 8, 8),
    await decodeRun('webgpu', 'nano', 8, 8),
  ];
  const flat = (d: typeof cpuDecode) => d.logits.flatMap((row) => row.flatMap((l) => Array.from(l)));
  const [cpuTrain, gpuTrain] = [
    await trajectory('cpu', 'micro', 10),
    await trajectory('webgpu', 'micro', 10),
  ];
  const trained = await fixtureCheckpoint();
  const [cpuPairs, gpuPairs] = [await pairLabels('cpu', trained), await pairLabels('webgpu', trained)];
  rmSync(trained, { recursive: true, force: true });
  return {
    cases,
    decode: {
      sameTokens: JSON.stringify(gpuDecode.tokens) === JSON.stringify(cpuDecode.tokens),
      logitsMaxAbs: closeness(flat(gpuDecode), flat(cpuDecode)).maxAbs,
    },
    training: {
      preset: 'micro',
      steps: 10,
      lossRel: worstRelative(gpuTrain.losses, cpuTrain.losses),
      normRel: worstRelative(gpuTrain.norms, cpuTrain.norms),
      clipped: cpuTrain.norms[0]! > 1,
    },
    labels: {
      samePairs: gpuPairs.pairs === cpuPairs.pairs,
      sameLabels: JSON.stringify(gpuPairs.labels) === JSON.stringify(cpuPairs.labels),
    },
    seconds: (performance.now() - start) / 1000,
  };
}

export interface Smoke {
  steps: number;
  phases: string;
  finalLoss: number;
  /** The last evaluation's conflict labels. */
  gen: number;
  mem: number;
  other: number;
  seconds: number;
}

/** The color smoke preset on webgpu, each phase capped at `cap` steps (0: as the preset says). */
export async function smokeRun(cap: number): Promise<Smoke> {
  await initBackend({ backend: 'webgpu', log: false });
  const preset = trainPreset('color', 'smoke', 0);
  const spec =
    cap === 0
      ? preset
      : {
          ...preset,
          phases: preset.phases.map((p) => ({ ...p, steps: Math.min(p.steps, cap), warmupSteps: 0 })),
          eval: { every: cap, conflict: 16, rule: 16, memorized: 16 },
        };
  const dir = mkdtempSync(join(tmpdir(), 'memgen-gpu-smoke-'));
  const start = performance.now();
  try {
    const r = await trainStage(spec, quietContext(dir));
    return {
      steps: r.steps,
      phases: r.phases.map((p) => p.name).join(' → '),
      finalLoss: r.final.loss,
      gen: r.final.gen,
      mem: r.final.mem,
      other: r.final.other,
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
