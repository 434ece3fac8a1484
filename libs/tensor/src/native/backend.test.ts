import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NativeBackend } from './backend.js';
import {
  defaultThreads,
  NATIVE_KERNELS,
  nativeInfo,
  registerNativeBackend,
  setNativeThreads,
  withNativeThreads,
} from './index.js';
import { BufferPool, sizeClass } from './pool.js';
import { randomTensor, useNative } from './testing.js';

beforeEach(async () => {
  await useNative();
});

const native = () => tf.backend() as NativeBackend;

describe('the native backend', () => {
  it('is registered idempotently and carries every cpu kernel plus its own', async () => {
    await registerNativeBackend();
    const names = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) expect(names.has(k.kernelName)).toBe(true);
    for (const k of NATIVE_KERNELS) expect(names.has(k.name)).toBe(true);
    expect(['x86-64', 'avx2', 'avx512']).toContain(nativeInfo().isa);
    expect(nativeInfo().blas).toMatch(/OpenBLAS/);
  });

  it('runs a function on a given thread count and restores the count, also when it throws', () => {
    setNativeThreads(3);
    expect(withNativeThreads(1, () => nativeInfo().threads)).toBe(1);
    expect(nativeInfo().threads).toBe(3);
    expect(() =>
      withNativeThreads(2, () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(nativeInfo().threads).toBe(3);
    setNativeThreads(defaultThreads());
  });

  it('runs on 1 thread and on several with the same results', () => {
    const run = () =>
      tf.tidy(() => tf.matMul(randomTensor([64, 96], 1), randomTensor([96, 80], 2)).dataSync());
    setNativeThreads(1);
    expect(nativeInfo().threads).toBe(1);
    const one = run();
    setNativeThreads(2);
    const two = run();
    setNativeThreads(defaultThreads());
    expect(Array.from(two)).toEqual(Array.from(one));
  });

  it('reads MEMGEN_THREADS and rejects nonsense', () => {
    expect(defaultThreads({ MEMGEN_THREADS: '3' })).toBe(3);
    expect(defaultThreads({})).toBeGreaterThanOrEqual(1);
    expect(() => defaultThreads({ MEMGEN_THREADS: 'two' })).toThrow(
      /MEMGEN_THREADS='two' is not a positive integer/,
    );
    expect(() => setNativeThreads(0)).toThrow(/positive integer/);
  });

  it('reuses disposed output buffers (pool hits) without leaking tensors', () => {
    const x = randomTensor([1000], 3);
    tf.tidy(() => {
      tf.exp(tf.exp(x)); // puts two arrays of this size on the free list
    });
    const before = native().pool.hits;
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      tf.tidy(() => {
        tf.exp(tf.add(x, 1));
      });
    }
    expect(native().pool.hits - before).toBe(20);
    expect(tf.memory().numTensors).toBe(tensors);
    x.dispose();
  });

  it('gives dataSync callers a copy, so reuse of the buffer cannot change what they hold', () => {
    const x = tf.exp(tf.zeros([257]));
    const held = x.dataSync();
    x.dispose();
    const y = tf.exp(tf.fill([257], 2));
    expect(held[0]).toBe(1);
    expect(y.dataSync()[0]).toBeCloseTo(Math.exp(2), 5);
    y.dispose();
  });

  it('never recycles a buffer while a view of it is alive (the cpu Slice kernel returns views)', () => {
    const a = tf.exp(tf.zeros([4, 64]));
    const cpuSlice = tf.getKernel('Slice', 'cpu')!.kernelFunc;
    const info = cpuSlice({
      inputs: { x: a },
      backend: native(),
      attrs: { begin: [1, 0], size: [2, 64] },
    }) as tf.TensorInfo;
    const view = tf.engine().makeTensorFromTensorInfo(info);
    const bufferOf = (dataId: object) => (native().data.get(dataId)!.values as Float32Array).buffer;
    expect(bufferOf(info.dataId)).toBe(bufferOf(a.dataId));
    a.dispose();
    const b = tf.exp(tf.fill([4, 64], 3));
    expect(Array.from(view.dataSync().slice(0, 3))).toEqual([1, 1, 1]);
    view.dispose();
    b.dispose();
  });
});

describe('BufferPool', () => {
  it('recycles only owned, unreferenced buffers, counting views, within its capacity', () => {
    const pool = new BufferPool(1024);
    const a = pool.acquire(16);
    pool.retain(a);
    pool.retain(a.subarray(4, 8));
    pool.release(a);
    expect(pool.bytesPooled).toBe(0); // the view still refers to the buffer
    pool.release(a.subarray(4, 8));
    expect(pool.bytesPooled).toBe(64);
    expect(pool.acquire(16).buffer).toBe(a.buffer);
    pool.release(new Float32Array(16)); // not owned: ignored
    expect(pool.bytesPooled).toBe(0);
    const big = pool.acquire(512);
    pool.retain(big);
    pool.release(big); // 2 KiB > capacity: dropped, not pooled
    expect(pool.bytesPooled).toBe(0);
    expect(pool.owns(big)).toBe(false);
  });

  it('serves nearby lengths from one size class: a view of exactly the asked length over a shared buffer', () => {
    expect([8, 9, 16, 17, 20, 21, 1000, 1025].map(sizeClass)).toEqual([8, 10, 16, 20, 20, 24, 1024, 1280]);
    const pool = new BufferPool(1 << 20);
    const a = pool.acquire(17);
    expect(a.length).toBe(17);
    expect(a.buffer.byteLength).toBe(80);
    pool.retain(a);
    pool.release(a);
    expect(pool.bytesPooled).toBe(80);
    const b = pool.acquire(19);
    expect(b.length).toBe(19);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.acquire(21).buffer).not.toBe(a.buffer);
  });
});
