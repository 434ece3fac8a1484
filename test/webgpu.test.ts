/**
 * The webgpu engine (tfjs's webgpu backend on Dawn over Vulkan; Mesa's lavapipe on machines without
 * a GPU) against the JavaScript cpu backend: every fused op and its gradients at odd shapes, greedy
 * decoding with the KV cache, a training run's trajectory, and a study's pair labels. One file, so
 * one process compiles the shaders once (the first call on lavapipe takes seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adamwStep, causalSelfAttention, initBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRun, fixtureCheckpoint, pairLabels, trajectory, worstRelative } from '../bench/gpu/parity.js';
import { fusedCases } from '../libs/tensor/src/conformance/cases.js';
import { runConformance } from '../libs/tensor/src/conformance/run.js';
import { closeness, expectSameAsCpu, randomTensor } from '../libs/tensor/src/native/testing.js';
import { webgpuInfo, webgpuProgramCount } from '../libs/tensor/src/webgpu/index.js';

// Dawn's runtime directory, removed with the test's other files (a killed worker runs no exit handler).
const runtimeDir = process.env.XDG_RUNTIME_DIR
  ? undefined
  : mkdtempSync(join(tmpdir(), 'memgen-webgpu-test-'));
if (runtimeDir) process.env.XDG_RUNTIME_DIR = runtimeDir;
const unavailable = await initBackend({ backend: 'webgpu', log: false }).then(
  () => undefined,
  (err: Error) => err.message,
);
if (unavailable) console.warn(`SKIPPED "webgpu engine against cpu": ${unavailable}`);
// With every test skipped vitest runs no afterAll: the directory goes now.
if (unavailable && runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
const SLOW = 300_000;

afterAll(async () => {
  if (!unavailable) await tf.setBackend('cpu');
  if (runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
});

describe.skipIf(unavailable !== undefined)(
  `webgpu engine against cpu${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    it('runs on an adapter dawn.node lists', () => {
      const info = webgpuInfo();
      console.log(`webgpu adapter: ${JSON.stringify(info.adapter)}`);
      expect(info.adapters.length).toBeGreaterThan(0);
    });

    it(
      'every fused op and its gradients, at odd shapes too, match cpu on GPU programs',
      async () => {
        // tfjs computes small ops whose inputs are still on the host on the CPU; these must run on the GPU.
        tf.env().set('WEBGPU_CPU_FORWARD', false);
        try {
          const results = await runConformance('webgpu', fusedCases());
          for (const r of results) {
            console.log(
              `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: max abs ${r.maxAbs.toExponential(1)}, max rel ${r.maxRel.toExponential(1)}`,
            );
          }
          expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.problem}`)).toEqual([]);
        } finally {
          tf.env().set('WEBGPU_CPU_FORWARD', true);
        }
      },
      SLOW,
    );

    it('the native harness compares webgpu with cpu and checks GPU programs ran', async () => {
      const mask = tf.tensor2d([
        [0, 1, 1, 1],
        [1, 1, 1, 1],
      ]);
      await expectSameAsCpu(
        () => {
          const qkv = randomTensor([8, 24], 5, -2, 2) as tf.Tensor2D;
          return [causalSelfAttention(qkv, mask as tf.Tensor2D, 2)];
        },
        { backend: 'webgpu', rtol: 1e-4, atol: 1e-5 },
      );
      expect(tf.getBackend()).toBe('webgpu');
    });

    it('the whole-model AdamW writes every parameter in place in one pass; a shared buffer takes the composite path', async () => {
      await tf.setBackend('webgpu');
      // A variable owns its buffer alone once its initial tensor is disposed.
      const own = (t: tf.Tensor) => {
        const v = tf.variable(t);
        t.dispose();
        return v;
      };
      const entry = (seed: number) => ({
        param: own(randomTensor([33, 65], seed)),
        m: own(tf.zeros([33, 65])),
        v: own(tf.zeros([33, 65])),
        grad: randomTensor([33, 65], seed + 1),
        weightDecay: 0.1,
      });
      const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, step: 1, gradScale: 0.5 };
      const [owned, shared] = [entry(1), entry(1)];
      const kept = shared.param.clone();
      const before = [owned.param.dataId, webgpuProgramCount()] as const;
      adamwStep([owned], hyper);
      expect([owned.param.dataId, webgpuProgramCount()]).toEqual(before);
      adamwStep([shared], hyper);
      expect(webgpuProgramCount()).toBeGreaterThan(before[1]);
      expect(kept.dataSync()).toEqual(randomTensor([33, 65], 1).dataSync());
      expect(owned.param.dataSync()).toEqual(shared.param.dataSync());
    });

    it(
      'greedy decoding with the KV cache gives the same tokens, logits within 1e-5',
      async () => {
        const cpu = await decodeRun('cpu', 'nano', 8, 8);
        const gpu = await decodeRun('webgpu', 'nano', 8, 8);
        expect(gpu.tokens).toEqual(cpu.tokens);
        const flat = (d: typeof cpu) => d.logits.flatMap((row) => row.flatMap((l) => Array.from(l)));
        const { maxAbs } = closeness(flat(gpu), flat(cpu));
        console.log(`nano decode, 8 rows × 8 tokens: logits max abs difference ${maxAbs.toExponential(1)}`);
        expect(maxAbs).toBeLessThan(1e-5);
      },
      SLOW,
    );

    it(
      'training (micro, 10 steps, clipped) follows cpu: losses and gradient norms within 1e-5 relative',
      async () => {
        const cpu = await trajectory('cpu', 'micro', 10);
        const gpu = await trajectory('webgpu', 'micro', 10);
        expect(cpu.norms[0]).toBeGreaterThan(1);
        expect(cpu.losses[9]).toBeLessThan(cpu.losses[0]! * 0.8);
        console.log(
          `micro trajectory: losses ${worstRelative(gpu.losses, cpu.losses).toExponential(1)}, ` +
            `norms ${worstRelative(gpu.norms, cpu.norms).toExponential(1)} (worst relative)`,
        );
        expect(worstRelative(gpu.losses, cpu.losses)).toBeLessThan(1e-5);
        expect(worstRelative(gpu.norms, cpu.norms)).toBeLessThan(1e-5);
      },
      SLOW,
    );

    it(
      "a study's pairs stage labels a trained checkpoint the same: identical pairs file",
      async () => {
        const trained = await fixtureCheckpoint();
        const cpu = await pairLabels('cpu', trained);
        const gpu = await pairLabels('webgpu', trained);
        rmSync(trained, { recursive: true, force: true });
        expect(gpu.pairs).toBe(cpu.pairs);
        expect(gpu.labels).toEqual(cpu.labels);
      },
      SLOW,
    );
  },
);
