/**
 * The element types a HostTensor can hold, and how each is spelled by the formats we read and write.
 * One table, so adding a dtype means adding one row, not editing every codec.
 */

/** The typed array that stores each dtype. */
export interface DTypeArrays {
  float32: Float32Array;
  int32: Int32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
}

export type DType = keyof DTypeArrays;

/** Any storage a HostTensor may have. */
export type TensorData = DTypeArrays[DType];

interface DTypeInfo {
  /** Bytes per element (also the alignment a zero-copy view needs). */
  itemSize: number;
  /** Builds a view of `length` elements over `buffer` starting at `byteOffset`. */
  view(buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData;
  /** Allocates `length` zeroed elements. */
  alloc(length: number): TensorData;
  /** True when `data` is this dtype's storage class. */
  holds(data: unknown): boolean;
  /** Name in a safetensors header. */
  safetensors: string;
  /** numpy `descr` (little-endian, or '|' where byte order is meaningless). */
  npy: string;
}

/** A typed-array class: what a dtype's views, allocations and storage checks are built from. */
interface TypedArrayClass<T extends TensorData> {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
}

function dtypeInfo<T extends TensorData>(
  ArrayClass: TypedArrayClass<T>,
  names: Pick<DTypeInfo, 'safetensors' | 'npy'>,
): DTypeInfo {
  return {
    itemSize: ArrayClass.BYTES_PER_ELEMENT,
    view: (b, o, n) => new ArrayClass(b, o, n),
    alloc: (n) => new ArrayClass(n),
    holds: (d) => d instanceof ArrayClass,
    ...names,
  };
}

export const DTYPES: { readonly [D in DType]: DTypeInfo } = {
  float32: dtypeInfo(Float32Array, { safetensors: 'F32', npy: '<f4' }),
  int32: dtypeInfo(Int32Array, { safetensors: 'I32', npy: '<i4' }),
  float64: dtypeInfo(Float64Array, { safetensors: 'F64', npy: '<f8' }),
  int64: dtypeInfo(BigInt64Array, { safetensors: 'I64', npy: '<i8' }),
  uint8: dtypeInfo(Uint8Array, { safetensors: 'U8', npy: '|u1' }),
};

export const DTYPE_NAMES = Object.keys(DTYPES) as DType[];

export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.hasOwn(DTYPES, name);
}

/** Reverse lookup: dtype from its safetensors name ('F32' → 'float32'), undefined if unsupported. */
export function dtypeFromSafetensors(name: string): DType | undefined {
  return DTYPE_NAMES.find((d) => DTYPES[d].safetensors === name);
}

/** Reverse lookup: dtype from a numpy descr ('<f4' → 'float32'), undefined if unsupported. */
export function dtypeFromNpy(descr: string): DType | undefined {
  // numpy writes '|u1' for bytes, but '<u1' and '>u1' mean the same thing and are legal.
  const normalized = descr === '<u1' || descr === '>u1' ? '|u1' : descr;
  return DTYPE_NAMES.find((d) => DTYPES[d].npy === normalized);
}

/**
 * Every codec hands out views of raw bytes as typed arrays, which use the platform's byte order,
 * while both formats are little-endian. Every machine Node runs on today is little-endian;
 * refuse loudly rather than silently swap bytes on one that is not.
 */
export function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('memgen tensor codecs require a little-endian host');
  }
}
