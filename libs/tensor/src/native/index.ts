/**
 * The native engine: registers the tfjs backend 'native' — the JavaScript cpu backend
 * with its hot kernels replaced by the N-API addon in libs/tensor/native (OpenBLAS + OpenMP).
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { loadAddon, type NativeAddon, type NativeInfo } from './addon.js';
import { NativeBackend } from './backend.js';
import { attentionKernels } from './kernels/attention.js';
import type { NativeKernelArgs, NativeKernelSpec } from './kernels/common.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { fusedKernels } from './kernels/fused.js';
import { layoutKernels } from './kernels/layout.js';
import { linearKernels } from './kernels/linear.js';
import { matMulKernels } from './kernels/matmul.js';
import { reduceKernels } from './kernels/reduce.js';

export type { NativeInfo } from './addon.js';
export { FUSED_KERNELS } from './kernels/fused.js';

export const NATIVE_BACKEND = 'native';

/** Every kernel the addon implements (the rest of the 'native' backend is the cpu backend's). */
export const NATIVE_KERNELS: readonly NativeKernelSpec[] = [
  ...matMulKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...fusedKernels,
  ...attentionKernels,
  ...linearKernels,
];

let addon: NativeAddon | undefined;
/** The addon's kSerialGemm, read once. */
let serialGemm: number | undefined;

/** Threads from MEMGEN_THREADS (a positive integer), else every core. */
export function defaultThreads(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['MEMGEN_THREADS'];
  if (value === undefined || value === '') return availableParallelism();
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`MEMGEN_THREADS='${value}' is not a positive integer`);
  }
  return threads;
}

function poolBytes(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['MEMGEN_NATIVE_POOL_MB'];
  const mb = value === undefined || value === '' ? 2048 : Number(value);
  if (!Number.isFinite(mb) || mb < 0)
    throw new Error(`MEMGEN_NATIVE_POOL_MB='${value}' is not a size in MiB`);
  return mb * 1024 * 1024;
}

/** Calls of one native kernel since registration: handled by the addon, or handed to the cpu kernel. */
export interface KernelCounts {
  ran: number;
  declined: number;
}

const kernelCounts = new Map<string, KernelCounts>();

/** A snapshot of every native kernel's call counts (tests use it to prove the addon ran). */
export function nativeKernelCounts(): Map<string, KernelCounts> {
  return new Map([...kernelCounts].map(([name, c]) => [name, { ...c }]));
}

/** The native kernel with the cpu kernel behind it for the inputs it does not handle. */
function withFallback(spec: NativeKernelSpec): KernelFunc {
  const cpu = tf.getKernel(spec.name, 'cpu')?.kernelFunc;
  const counts: KernelCounts = { ran: 0, declined: 0 };
  kernelCounts.set(spec.name, counts);
  return (args) => {
    const result = spec.run(args as unknown as NativeKernelArgs);
    if (result !== undefined) {
      counts.ran++;
      return result;
    }
    counts.declined++;
    if (!cpu) {
      const dtypes = Object.values(args.inputs as Record<string, TensorInfo>).map((t) => t.dtype);
      throw new Error(`native kernel ${spec.name} does not handle inputs of dtype ${dtypes.join(', ')}`);
    }
    return cpu(args) as TensorInfo | TensorInfo[];
  };
}

/**
 * Registers the 'native' tfjs backend (idempotent). Throws an Error saying why it cannot: the
 * addon is not built, or its libraries (OpenBLAS, libgomp) are missing.
 * @param threads OpenMP/OpenBLAS threads; default MEMGEN_THREADS, else all cores.
 */
export async function registerNativeBackend(threads = defaultThreads()): Promise<void> {
  if (addon) {
    setNativeThreads(threads);
    return;
  }
  const loaded = loadAddon();
  loaded.setThreads(threads);
  const bytes = poolBytes();
  const overridden = new Set(NATIVE_KERNELS.map((k) => k.name));
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (!overridden.has(kernel.kernelName)) tf.registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
  }
  for (const spec of NATIVE_KERNELS) {
    const config: KernelConfig = {
      kernelName: spec.name,
      backendName: NATIVE_BACKEND,
      kernelFunc: withFallback(spec),
    };
    tf.registerKernel(config);
  }
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(loaded, bytes), 0);
  addon = loaded;
}

/** Sets the OpenMP/OpenBLAS thread count of the native engine (after registration). */
export function setNativeThreads(threads: number): void {
  if (!addon) throw new Error('the native backend is not registered');
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, got ${threads}`);
  addon.setThreads(threads);
}

/**
 * Runs `fn` with the native engine on `threads` threads and restores the count after; runs it
 * unchanged when the active backend is not the native engine.
 */
export function withNativeThreads<T>(threads: number, fn: () => T): T {
  if (!addon || tf.getBackend() !== NATIVE_BACKEND) return fn();
  const before = addon.getThreads();
  if (before === threads) return fn();
  setNativeThreads(threads);
  try {
    return fn();
  } finally {
    setNativeThreads(before);
  }
}

/**
 * Runs `fn` on one thread when its largest GEMM (`gemmWork` multiply-adds) is one the engine runs on
 * one thread anyway: the rest of such work is small kernels whose parallel regions each pay a
 * sleeping helper's wake-up (30–100 µs on a virtual machine) for a few microseconds of work. Decoding
 * measured it: micro's one-column passes (1 M) faster on one thread, tiny's (4 M) and prompts on all.
 */
export function withThreadsForGemm<T>(gemmWork: number, fn: () => T): T {
  if (!addon || tf.getBackend() !== NATIVE_BACKEND) return fn();
  serialGemm ??= addon.info().serialGemm;
  return gemmWork < serialGemm ? withNativeThreads(1, fn) : fn();
}

/** Build and runtime facts of the loaded addon (ISA chosen, BLAS config, threads). */
export function nativeInfo(): NativeInfo {
  if (!addon) throw new Error('the native backend is not registered');
  return addon.info();
}
