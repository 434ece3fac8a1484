/**
 * Reuse of Float32Array outputs. A training step allocates thousands of same-sized arrays;
 * taking them from a free list instead of `new Float32Array` halves a small step's time.
 *
 * Only arrays this pool handed out ("owned" buffers) are ever recycled, and only once no
 * tensor data refers to their buffer any more: the backend reports every values array it
 * stores (write/move) and every one it drops (disposeData), which also covers views into an
 * owned buffer (the cpu backend's Slice returns a subarray of its input).
 *
 * Buffers come in size classes (four per power of two) and an array is a view of the first
 * `length` elements of one: batches whose padded length changes from step to step then reuse the
 * same recently touched buffers instead of each exact length keeping its own, mostly cold, ones.
 */
export class BufferPool {
  /** Owned buffers → number of stored tensor data entries that reference them. */
  private readonly references = new WeakMap<ArrayBufferLike, number>();
  private readonly free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  hits = 0;
  misses = 0;

  /** @param capacityBytes most bytes kept on the free lists; beyond it, released arrays go to the GC. */
  constructor(private readonly capacityBytes: number) {}

  /** A Float32Array of `length` elements with unspecified contents (callers overwrite all of it). */
  acquire(length: number): Float32Array {
    if (length === 0) return new Float32Array(0);
    const size = sizeClass(length);
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.hits++;
      this.pooledBytes -= reused.byteLength;
      this.references.set(reused.buffer, 0);
      return length === size ? reused : reused.subarray(0, length);
    }
    this.misses++;
    const fresh = new Float32Array(size);
    this.references.set(fresh.buffer, 0);
    return length === size ? fresh : fresh.subarray(0, length);
  }

  /** Whether `values` lives in a buffer this pool may recycle (readers must get a copy). */
  owns(values: unknown): values is Float32Array {
    return ArrayBuffer.isView(values) && this.references.has(values.buffer);
  }

  /** A tensor data entry now refers to `values`. */
  retain(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const count = this.references.get(values.buffer);
    if (count !== undefined) this.references.set(values.buffer, count + 1);
  }

  /** A tensor data entry referring to `values` was deleted. */
  release(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buffer = values.buffer;
    const count = this.references.get(buffer);
    if (count === undefined) return;
    if (count > 1) {
      this.references.set(buffer, count - 1);
      return;
    }
    if (this.pooledBytes + buffer.byteLength > this.capacityBytes) {
      this.references.delete(buffer);
      return;
    }
    // Owned buffers were always allocated as whole Float32Arrays of their class's size.
    const whole = new Float32Array(buffer);
    this.references.set(buffer, 0);
    let list = this.free.get(whole.length);
    if (!list) {
      list = [];
      this.free.set(whole.length, list);
    }
    list.push(whole);
    this.pooledBytes += buffer.byteLength;
  }

  /** Bytes currently waiting on the free lists. */
  get bytesPooled(): number {
    return this.pooledBytes;
  }

  /** Drops every pooled array. */
  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }
}

/** The buffer size that serves `length` elements: the next of 4, 5, 6 or 7 × a power of two (at most 25 % unused). */
export function sizeClass(length: number): number {
  if (length <= 8) return length;
  const quarter = 2 ** (Math.floor(Math.log2(length)) - 2);
  return Math.ceil(length / quarter) * quarter;
}
