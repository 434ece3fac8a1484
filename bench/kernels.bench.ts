/**
 * Kernel profile of GPT training steps: total ms, calls and ms per call for every tfjs kernel, per
 * backend (each in its own process, tfjs backends being process-global). Optionally the fp32
 * matmul rate at 2048² (--matmul), to compare with BLAS peak.
 *
 *   node --import tsx bench/kernels.bench.ts --backend native,wasm --configs tiny --steps 3 [--threads 1]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trainStep } from '@memgen/model';
import { type BackendName, initBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { benchCommand, benchSetup, readBenchArgs } from './bench-args.js';

const program = benchCommand({
  configs: ['tiny'],
  backend: 'native',
  steps: { default: '3', help: 'profiled steps (after one warm-up step)' },
})
  .option('--top <n>', 'kernels listed', '25')
  .option('--matmul', 'also measure 2048² matmul GFLOP/s')
  .option('--by-shape', 'one row per kernel and input shapes (and transposes) rather than per kernel')
  .parse(process.argv);
const { configs, backends, steps } = readBenchArgs(program);
const o = program.opts<{ top: string; matmul?: boolean; byShape?: boolean }>();
const top = Number(o.top);

interface KernelStat {
  ms: number;
  calls: number;
}

/** A call's row: the kernel, or with --by-shape the kernel, its input shapes and its transposes. */
function rowKey(kernel: string, args: Parameters<tf.KernelFunc>[0]): string {
  if (!o.byShape) return kernel;
  const shapes = Object.values(args.inputs).map((t) => `[${t?.shape}]`);
  const flags = ['transposeA', 'transposeB'].filter((f) => args.attrs?.[f] === true).map((f) => f.slice(-1));
  return `${kernel} ${shapes.join('')}${flags.length ? ` T${flags.join('')}` : ''}`;
}

/** Re-registers every kernel of `backend` behind a timer; returns the live statistics. */
function instrument(backend: string): Map<string, KernelStat> {
  const stats = new Map<string, KernelStat>();
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const t0 = performance.now();
        const out = inner(args);
        const key = rowKey(config.kernelName, args);
        const stat = stats.get(key) ?? { ms: 0, calls: 0 };
        stat.ms += performance.now() - t0;
        stat.calls++;
        stats.set(key, stat);
        return out;
      },
    });
  }
  return stats;
}

function matmulRate(): number {
  const n = 2048;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  tf.matMul(a, b).dispose();
  const t0 = performance.now();
  const reps = 3;
  for (let i = 0; i < reps; i++) tf.matMul(a, b).dispose();
  const s = (performance.now() - t0) / 1000 / reps;
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / s / 1e9;
}

async function profile(backend: BackendName): Promise<void> {
  await initBackend({ backend, log: false });
  const threads = process.env['MEMGEN_THREADS'] ?? 'all';
  if (o.matmul)
    process.stdout.write(
      `${backend} (threads ${threads}): 2048² matmul ${matmulRate().toFixed(0)} GFLOP/s\n`,
    );
  for (const name of configs) {
    const { model, opt, batch } = benchSetup(name);
    trainStep(model, opt, batch, 1e-3);
    const stats = instrument(backend);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) trainStep(model, opt, batch, 1e-3);
    const stepMs = (performance.now() - t0) / steps;
    const rows = [...stats.entries()].filter(([, s]) => s.calls > 0).sort((p, q) => q[1].ms - p[1].ms);
    const kernelMs = rows.reduce((sum, [, s]) => sum + s.ms, 0) / steps;
    const calls = rows.reduce((sum, [, s]) => sum + s.calls, 0) / steps;
    process.stdout.write(
      `\n${name} on ${backend} (threads ${threads}): ${stepMs.toFixed(1)} ms/step, ` +
        `${kernelMs.toFixed(1)} ms in ${calls.toFixed(0)} kernel calls, ` +
        `${(stepMs - kernelMs).toFixed(1)} ms outside kernels\n`,
    );
    process.stdout.write(
      `${'kernel'.padEnd(o.byShape ? 48 : 24)} ${'ms/step'.padStart(9)} ${'calls/step'.padStart(11)} ${'µs/call'.padStart(9)}\n`,
    );
    for (const [kernel, s] of rows.slice(0, top)) {
      process.stdout.write(
        `${kernel.padEnd(o.byShape ? 48 : 24)} ${(s.ms / steps).toFixed(2).padStart(9)} ${(s.calls / steps).toFixed(0).padStart(11)} ` +
          `${((s.ms / s.calls) * 1000).toFixed(1).padStart(9)}\n`,
      );
    }
    opt.dispose();
    model.dispose();
  }
}

if (backends.length > 1) {
  const script = fileURLToPath(import.meta.url);
  for (const backend of backends) {
    const rest = process.argv
      .slice(2)
      .filter((_, i, all) => all[i] !== '--backend' && all[i - 1] !== '--backend');
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...rest, '--backend', backend], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exitCode = 1;
  }
} else {
  await profile(backends[0]!);
}
