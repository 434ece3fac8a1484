/**
 * The 'native' backend: the JavaScript cpu backend's storage and kernels, with an output-buffer
 * pool; hot kernels are replaced by the N-API addon (./kernels/*).
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { backend_util, DataType } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { BufferPool } from './pool.js';

type DataId = object;

export class NativeBackend extends MathBackendCPU {
  readonly pool: BufferPool;

  constructor(
    readonly addon: NativeAddon,
    poolBytes: number,
  ) {
    super();
    this.pool = new BufferPool(poolBytes);
    // MathBackendCPU prints "install tfjs-node" on its first write; this backend is the answer.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** A float32 output array (from the pool; contents unspecified). */
  allocF32(length: number): Float32Array {
    return this.pool.acquire(length);
  }

  /** The float32 values of a stored tensor, or undefined when it holds another representation. */
  f32(dataId: DataId): Float32Array | undefined {
    const entry = this.data.get(dataId);
    if (entry?.dtype !== 'float32') return undefined;
    return entry.values instanceof Float32Array ? entry.values : undefined;
  }

  /** 4-byte values (float32 or int32) of a stored tensor, for layout kernels. */
  words(dataId: DataId): Float32Array | Int32Array | undefined {
    const entry = this.data.get(dataId);
    if (entry?.dtype === 'float32' && entry.values instanceof Float32Array) return entry.values;
    if (entry?.dtype === 'int32' && entry.values instanceof Int32Array) return entry.values;
    return undefined;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    this.pool.retain(values);
    return super.write(values, shape, dtype);
  }

  override move(
    dataId: DataId,
    values: backend_util.BackendValues,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    this.pool.retain(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return released;
  }

  /**
   * Always a copy: the caller may keep the result after the tensor is disposed (pooled arrays are
   * reused) or while the optimizer updates a parameter's buffer in place.
   */
  override readSync(dataId: DataId): backend_util.BackendValues {
    const values = super.readSync(dataId);
    return ArrayBuffer.isView(values) ? values.slice() : values;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}
