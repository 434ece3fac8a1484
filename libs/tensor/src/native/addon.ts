/**
 * Loading the N-API addon (libs/tensor/native) and its typed surface. Every function checks its
 * arguments natively too; the TypeScript side is responsible for shapes and broadcasting plans.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Binary op codes (native/src/ops.h). */
export const BinaryOp = {
  Add: 0,
  Sub: 1,
  Mul: 2,
  Div: 3,
  SquaredDifference: 4,
  Maximum: 5,
  Minimum: 6,
  Pow: 7,
} as const;

/** Unary op codes (native/src/ops.h). */
export const UnaryOp = {
  Neg: 0,
  Exp: 1,
  Log: 2,
  Tanh: 3,
  Sqrt: 4,
  Rsqrt: 5,
  Square: 6,
  Abs: 7,
  Relu: 8,
  Sigmoid: 9,
  Reciprocal: 10,
  Erf: 11,
  Elu: 12,
  LeakyRelu: 13,
} as const;

/** Reduction op codes (native/src/ops.h). */
export const ReduceOp = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4 } as const;

/** A typed array of 4-byte elements, as layout kernels accept. */
export type WordArray = Float32Array | Int32Array;

export interface NativeInfo {
  /** Instruction set of the loops chosen at load time: 'x86-64' | 'avx2' | 'avx512'. */
  isa: string;
  /** OpenBLAS build configuration string. */
  blas: string;
  threads: number;
  processors: number;
  /** Multiply-adds of a GEMM under which the engine runs it on the calling thread alone. */
  serialGemm: number;
}

/** The functions memgen_native.node exports (see native/src/*.cc for the exact contracts). */
export interface NativeAddon {
  setThreads(threads: number): void;
  getThreads(): number;
  info(): NativeInfo;
  matMul(
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aIndex: Int32Array,
    bIndex: Int32Array,
  ): void;
  binary(op: number, out: Float32Array, a: Float32Array, b: Float32Array, dims: number[]): void;
  unary(op: number, out: Float32Array, x: Float32Array, alpha: number): void;
  addN(out: Float32Array, inputs: Float32Array[]): void;
  reduce(op: number, out: Float32Array, x: Float32Array, outer: number, mid: number, inner: number): void;
  softmax(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  stridedCopy(out: WordArray, x: WordArray, offset: number, dims: number[]): void;
  stridedScatter(out: WordArray, x: WordArray, offset: number, dims: number[]): void;
  concat(out: WordArray, inputs: WordArray[], outer: number): void;
  split(x: WordArray, outputs: WordArray[], outer: number): void;
  /** Returns -1, or the position of the first out-of-range index (nothing written then). */
  gather(
    out: WordArray,
    x: WordArray,
    indices: Int32Array,
    outer: number,
    axisSize: number,
    inner: number,
  ): number;
  segmentSum(out: Float32Array, x: Float32Array, segmentIds: Int32Array, numSegments: number): void;
  gelu(out: Float32Array, x: Float32Array): void;
  geluGrad(dx: Float32Array, dy: Float32Array, x: Float32Array): void;
  layerNorm(
    y: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    epsilon: number,
  ): void;
  layerNormGrad(
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    gamma: Float32Array,
  ): void;
  softmaxCrossEntropy(
    loss: Float32Array,
    probs: Float32Array,
    logits: Float32Array,
    labels: Int32Array,
  ): void;
  softmaxCrossEntropyGrad(
    dlogits: Float32Array,
    probs: Float32Array,
    labels: Int32Array,
    dloss: Float32Array,
  ): void;
  /** Writes the new keys/values into the cache buffers, then attends the new queries to them. */
  cachedAttention(
    z: Float32Array,
    keys: Float32Array,
    values: Float32Array,
    qkv: Float32Array,
    keyMask: Float32Array,
    batch: number,
    seq: number,
    heads: number,
    offset: number,
    capacity: number,
  ): void;
  /** y [rows, out] = x [rows, in] · w [in, out] + b [out]. */
  linear(
    y: Float32Array,
    x: Float32Array,
    w: Float32Array,
    b: Float32Array,
    rows: number,
    inDim: number,
    outDim: number,
  ): void;
  linearGrad(
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array,
    dy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    rows: number,
    inDim: number,
    outDim: number,
  ): void;
  /** Σ x² over every array (double accumulation, the same on any thread count). */
  sumSquares(arrays: Float32Array[]): number;
  /** AdamW on every parameter in place (p, m, v overwritten), each gradient scaled by gradScale first. */
  adamwInPlace(
    params: Float32Array[],
    ms: Float32Array[],
    vs: Float32Array[],
    grads: Float32Array[],
    weightDecays: Float64Array,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    step: number,
    gradScale: number,
  ): void;
  /** Causal self-attention of qkv [B·T, 3D] under keyMask [B, T] → z [B·T, D], probs [B, H, T, T]. */
  attention(
    z: Float32Array,
    probs: Float32Array,
    qkv: Float32Array,
    keyMask: Float32Array,
    batch: number,
    seq: number,
    heads: number,
  ): void;
  attentionGrad(
    dqkv: Float32Array,
    dz: Float32Array,
    probs: Float32Array,
    qkv: Float32Array,
    batch: number,
    seq: number,
    heads: number,
  ): void;
  adamw(
    p: Float32Array,
    m: Float32Array,
    v: Float32Array,
    p0: Float32Array,
    m0: Float32Array,
    v0: Float32Array,
    g: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    step: number,
  ): void;
}

/**
 * Where scripts/build-native.sh puts the addon; MEMGEN_NATIVE_ADDON points elsewhere (the
 * AddressSanitizer build of scripts/native-sanitize.sh).
 */
export const ADDON_PATH =
  process.env['MEMGEN_NATIVE_ADDON'] ??
  fileURLToPath(new URL('../../native/build/Release/memgen_native.node', import.meta.url));

const BUILD_HINT = 'run `bash scripts/build-native.sh` (needs apt packages g++ and libopenblas-openmp-dev)';

let loaded: NativeAddon | undefined;

/**
 * OpenBLAS's kernels are chosen by OPENBLAS_CORETYPE when the library loads. This machine's
 * environment sets it to Haswell (AVX2), and 0.3.21 also picks Haswell by itself on AVX-512 CPUs it
 * does not know (AMD Zen 4): half the GEMM rate of its SkylakeX kernels (measured 122 vs 235
 * GFLOP/s on one core). So on an AVX-512 CPU memgen asks for SkylakeX, unless MEMGEN_BLAS_CORETYPE
 * names a core explicitly (e.g. MEMGEN_BLAS_CORETYPE=Haswell restores the inherited choice).
 */
function chooseBlasCore(env: NodeJS.ProcessEnv = process.env): void {
  const explicit = env['MEMGEN_BLAS_CORETYPE'];
  if (explicit) {
    env['OPENBLAS_CORETYPE'] = explicit;
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') return;
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return; // no /proc: leave OpenBLAS's own detection alone
  }
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? []);
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f)))
    env['OPENBLAS_CORETYPE'] = 'SKYLAKEX';
}

/**
 * How long an idle OpenMP thread spins before it sleeps, in libgomp's spin iterations (about 100 per
 * microsecond): long enough to bridge the gaps of a few microseconds between a step's kernels,
 * where a sleeping thread costs each parallel region a wake-up (tiny training on 2 threads: 111–118
 * ms/step passive, 99–100 ms with 3 000 spins), short enough that a process sharing its cores with
 * others wastes little (two 2-thread tiny trainings at once: 158–197 ms passive, 188–219 ms at 3 000,
 * 400 ms at 30 000; libgomp's own default, 300 000, made a shared tiny step 17× slower).
 */
export const OMP_SPIN_COUNT = 3000;

/**
 * libgomp reads its waiting policy when it loads, so it is set before the addon is; a user's own
 * OMP_WAIT_POLICY or GOMP_SPINCOUNT wins (OMP_WAIT_POLICY=passive where cores are shared on purpose).
 */
export function chooseOpenMpWaiting(env: NodeJS.ProcessEnv = process.env): void {
  if (env['OMP_WAIT_POLICY'] === undefined && env['GOMP_SPINCOUNT'] === undefined)
    env['GOMP_SPINCOUNT'] = String(OMP_SPIN_COUNT);
}

/** Loads the addon once; throws an Error saying why it cannot (not built, BLAS missing, …). */
export function loadAddon(): NativeAddon {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`the native addon is not built (${ADDON_PATH} is missing): ${BUILD_HINT}`);
  }
  chooseBlasCore();
  chooseOpenMpWaiting();
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? '';
    const hint = /openblas|gomp|mvec/i.test(message)
      ? 'install the runtime libraries: apt-get install -y libopenblas-openmp-dev'
      : BUILD_HINT;
    throw new Error(`the native addon does not load (${message}): ${hint}`);
  }
  return loaded;
}
