/**
 * A msgpack extension type carrying a HostTensor, so tensors travel inside ordinary messages
 * (NATS payloads, RPC replies) as raw bytes rather than number arrays.
 *
 * Extension type 0x54 ('T'); payload:
 *   descr: 3 ASCII bytes, the numpy dtype string ('<f4', '<i4', '<f8', '<i8', '|u1')
 *   ndim:  u8
 *   dims:  ndim × u32 little-endian
 *   data:  product(dims) elements, little-endian, row-major
 * The numpy descr makes the payload readable from Python with `np.frombuffer(data, descr)`.
 */
import { addExtension, type Options, Packr } from 'msgpackr';
import { DTYPES, type DType, dtypeFromNpy } from './dtypes.js';
import { CodecError } from './errors.js';
import { HostTensor, shapeSize, typedArrayFromBytes } from './host-tensor.js';

const FORMAT = 'msgpack-tensor';
export const TENSOR_EXTENSION_TYPE = 0x54;
const MAX_NDIM = 255;
const MAX_DIM = 0xffffffff;

interface PackTarget {
  target: Uint8Array;
  targetView: DataView;
  position: number;
}

/** Writes the extension (header included) straight into msgpackr's output buffer: one copy of the data. */
function packTensor(tensor: HostTensor, allocateForWrite: (size: number) => PackTarget): void {
  if (tensor.shape.length > MAX_NDIM)
    throw new CodecError(FORMAT, `${tensor.shape.length} dimensions exceed 255`);
  for (const dim of tensor.shape) {
    if (dim > MAX_DIM) throw new CodecError(FORMAT, `dimension ${dim} does not fit in 32 bits`);
  }
  const payloadLength = 4 + 4 * tensor.shape.length + tensor.data.byteLength;
  if (payloadLength > 0xffffffff)
    throw new CodecError(FORMAT, `tensor of ${payloadLength} bytes exceeds 4 GiB`);
  // ext 8 / ext 16 / ext 32: marker, big-endian length, type. The fixext forms are optional.
  const lengthBytes = payloadLength < 0x100 ? 1 : payloadLength < 0x10000 ? 2 : 4;
  const { target, targetView, position } = allocateForWrite(2 + lengthBytes + payloadLength);
  let at = position;
  if (lengthBytes === 1) {
    target[at] = 0xc7;
    target[at + 1] = payloadLength;
  } else if (lengthBytes === 2) {
    target[at] = 0xc8;
    targetView.setUint16(at + 1, payloadLength);
  } else {
    target[at] = 0xc9;
    targetView.setUint32(at + 1, payloadLength);
  }
  at += 1 + lengthBytes;
  target[at++] = TENSOR_EXTENSION_TYPE;
  const descr = DTYPES[tensor.dtype].npy;
  for (let i = 0; i < 3; i++) target[at++] = descr.charCodeAt(i);
  target[at++] = tensor.shape.length;
  for (const dim of tensor.shape) {
    targetView.setUint32(at, dim, true);
    at += 4;
  }
  target.set(tensor.bytes(), at);
}

/**
 * Decodes an extension payload (without the ext header). Data are a view into `payload` when the
 * absolute byte offset is aligned for the dtype, otherwise a copy.
 */
export function unpackTensorPayload(payload: Uint8Array): HostTensor {
  if (payload.length < 4) {
    throw new CodecError(FORMAT, `payload of ${payload.length} bytes is shorter than its 4-byte header`);
  }
  const descr = String.fromCharCode(payload[0]!, payload[1]!, payload[2]!);
  const dtype: DType | undefined = dtypeFromNpy(descr);
  if (dtype === undefined) throw new CodecError(FORMAT, `unknown dtype ${JSON.stringify(descr)}`);
  const ndim = payload[3]!;
  const dataStart = 4 + 4 * ndim;
  if (payload.length < dataStart) {
    throw new CodecError(FORMAT, `payload of ${payload.length} bytes is too short for ${ndim} dimensions`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, true));
  const size = shapeSize(shape);
  if (!Number.isSafeInteger(size)) throw new CodecError(FORMAT, `shape [${shape.join(', ')}] is too large`);
  const needed = size * DTYPES[dtype].itemSize;
  const available = payload.length - dataStart;
  if (available !== needed) {
    throw new CodecError(
      FORMAT,
      `wrong length for shape [${shape.join(', ')}] of ${dtype}: needs ${needed} data bytes, payload has ${available}`,
    );
  }
  return new HostTensor(dtype, shape, typedArrayFromBytes(dtype, payload, dataStart, needed));
}

let registered = false;

/**
 * Registers the tensor extension with msgpackr. msgpackr's extension registry is process-wide, so
 * after this every Packr/Unpackr in the process encodes HostTensor instances and decodes type 0x54.
 * Runs when this module is imported; idempotent.
 */
export function registerTensorExtension(): void {
  if (registered) return;
  addExtension({
    Class: HostTensor,
    type: TENSOR_EXTENSION_TYPE,
    pack(this: unknown, value: HostTensor, allocateForWrite: (size: number) => PackTarget) {
      packTensor(value, allocateForWrite);
    },
    unpack: unpackTensorPayload,
    // msgpackr's typings omit the allocateForWrite argument its pack() hooks receive.
  } as unknown as Parameters<typeof addExtension>[0]);
  registered = true;
}

// Registered on import, so a service that decodes with its own Unpackr still understands tensors
// instead of failing with "Unknown extension type 84".
registerTensorExtension();

/**
 * The project's msgpack codec: typed arrays, Maps etc. survive (moreTypes), plain objects stay
 * maps (useRecords: false, so both sides need no shared structures), and HostTensors anywhere in
 * the value round-trip as tensors. `options` may override anything else.
 */
export function createPackr(options: Options = {}): Packr {
  registerTensorExtension();
  return new Packr({ moreTypes: true, useRecords: false, ...options });
}
