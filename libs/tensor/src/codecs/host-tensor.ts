/**
 * HostTensor: a tensor held in ordinary memory (not on a tfjs backend), the unit every codec
 * reads and writes. Row-major (C order), little-endian, immutable shape.
 */
import { DTYPE_NAMES, DTYPES, type DType, type DTypeArrays, isDType } from './dtypes.js';
import { CodecError } from './errors.js';

/** Number of elements of a tensor with this shape (1 for a scalar, shape []). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Throws a CodecError unless every dimension is a non-negative safe integer and the size is too. */
export function validateShape(shape: unknown, format = 'tensor', what = 'shape'): asserts shape is number[] {
  if (!Array.isArray(shape)) {
    throw new CodecError(format, `${what} must be an array of dimensions, got ${describe(shape)}`);
  }
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new CodecError(format, `${what} [${shape.join(', ')}] has an invalid dimension ${describe(dim)}`);
    }
  }
  if (!Number.isSafeInteger(shapeSize(shape))) {
    throw new CodecError(format, `${what} [${shape.join(', ')}] has more elements than can be addressed`);
  }
}

export class HostTensor<D extends DType = DType> {
  readonly dtype: D;
  /** Dimensions, outermost first; [] for a scalar. Frozen. */
  readonly shape: readonly number[];
  /** Row-major elements; length = product(shape). May alias a decoded buffer (see clone()). */
  readonly data: DTypeArrays[D];

  /**
   * Validates that `data` is `dtype`'s typed array (Float32Array for 'float32', BigInt64Array for
   * 'int64', ...) and holds exactly product(shape) elements; throws a CodecError naming the mismatch.
   */
  constructor(dtype: D, shape: readonly number[], data: DTypeArrays[D]) {
    if (!isDType(dtype)) {
      throw new CodecError(
        'tensor',
        `unknown dtype ${describe(dtype)} (supported: ${DTYPE_NAMES.join(', ')})`,
      );
    }
    validateShape(shape);
    if (!DTYPES[dtype].holds(data)) {
      throw new CodecError('tensor', `dtype ${dtype} needs its own typed array, got ${describe(data)}`);
    }
    const expected = shapeSize(shape);
    if (data.length !== expected) {
      throw new CodecError(
        'tensor',
        `shape [${shape.join(', ')}] needs ${expected} elements, data has ${data.length}`,
      );
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** A tensor of `dtype` and `shape` filled with zeros. */
  static zeros<D extends DType>(dtype: D, shape: readonly number[]): HostTensor<D> {
    validateShape(shape);
    return new HostTensor(dtype, shape, DTYPES[dtype].alloc(shapeSize(shape)) as DTypeArrays[D]);
  }

  /**
   * A copy owning fresh memory. Decoders return views into the bytes they were given when
   * alignment allows; clone a tensor you keep after that buffer may be reused.
   */
  clone(): HostTensor<D> {
    return new HostTensor(this.dtype, this.shape, this.data.slice() as DTypeArrays[D]);
  }

  /** The elements' bytes (little-endian), a view sharing memory with `data`. */
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  /** Narrows to one dtype, throwing a CodecError that names both dtypes when it differs. */
  as<E extends DType>(dtype: E): HostTensor<E> {
    if ((this.dtype as DType) !== dtype) {
      throw new CodecError('tensor', `expected a ${dtype} tensor, got ${this.dtype}`);
    }
    return this as unknown as HostTensor<E>;
  }
}

/**
 * Interprets `byteLength` bytes of `bytes` starting at `start` as `dtype` elements. The result is a
 * view (zero-copy) when the absolute offset is a multiple of the element size, and a copy otherwise
 * (typed arrays cannot start at a misaligned offset; NATS payloads often do).
 */
export function typedArrayFromBytes<D extends DType>(
  dtype: D,
  bytes: Uint8Array,
  start: number,
  byteLength: number,
): DTypeArrays[D] {
  const { itemSize, view } = DTYPES[dtype];
  const length = byteLength / itemSize;
  const absolute = bytes.byteOffset + start;
  if (absolute % itemSize === 0) return view(bytes.buffer, absolute, length) as DTypeArrays[D];
  // Not bytes.slice(): on a Node Buffer that is a view, not a copy.
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(start, start + byteLength));
  return view(copy.buffer, 0, length) as DTypeArrays[D];
}

/** Short description of a value for error messages (never its full contents). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
