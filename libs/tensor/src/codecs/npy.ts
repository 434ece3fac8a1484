/**
 * NumPy .npy (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *   "\x93NUMPY" | major | minor | header length (u16 LE in v1, u32 LE in v2/v3) | header | data
 * The header is a Python dict literal padded with spaces and a final "\n" so that the data start
 * at a multiple of 64 bytes. We write v1.0 and read v1.0–v3.0, C order, little-endian only.
 */
import { DTYPE_NAMES, DTYPES, dtypeFromNpy } from './dtypes.js';
import { CodecError } from './errors.js';
import { HostTensor, shapeSize, typedArrayFromBytes, validateShape } from './host-tensor.js';
import { formatNpyHeaderDict, type PyValue, parsePyLiteral } from './npy-header.js';

const FORMAT = 'npy';
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGNMENT = 64;

/**
 * Serialises any-shape tensor as a v1.0 .npy file (what numpy.save writes for such arrays).
 * Throws a CodecError if the header would not fit v1.0's 16-bit length (needs > ~6000 dimensions).
 */
export function encodeNpy(tensor: HostTensor): Uint8Array {
  if (!(tensor instanceof HostTensor)) throw new CodecError(FORMAT, 'encodeNpy needs a HostTensor');
  const dict = formatNpyHeaderDict(DTYPES[tensor.dtype].npy, tensor.shape);
  // magic(6) + version(2) + length(2) + dict + padding + '\n' ≡ 0 (mod 64)
  const preamble = Math.ceil((10 + dict.length + 1) / ALIGNMENT) * ALIGNMENT;
  const headerLength = preamble - 10;
  if (headerLength > 0xffff)
    throw new CodecError(FORMAT, `header of ${headerLength} bytes does not fit v1.0`);
  const out = new Uint8Array(preamble + tensor.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  out.set(new TextEncoder().encode(dict), 10);
  out.fill(0x20, 10 + dict.length, preamble - 1);
  out[preamble - 1] = 0x0a;
  out.set(tensor.bytes(), preamble);
  return out;
}

/**
 * Parses a .npy file into a HostTensor (little-endian f4/i4/f8/i8/u1, C order; fortran_order is
 * accepted only for ≤1 dimension, where it means the same bytes). The data are a view into `bytes`
 * when aligned, else a copy. Throws a CodecError naming the problem.
 */
export function decodeNpy(bytes: Uint8Array): HostTensor {
  if (bytes.length < 10)
    throw new CodecError(FORMAT, `truncated: ${bytes.length} bytes, shorter than the preamble`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) {
    throw new CodecError(FORMAT, 'bad magic: not a .npy file (expected "\\x93NUMPY")');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) {
    throw new CodecError(FORMAT, `unsupported format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let lengthBytes = 2;
  if (major > 1) {
    lengthBytes = 4;
    if (bytes.length < 12) throw new CodecError(FORMAT, 'truncated: version 2+ preamble needs 12 bytes');
  }
  const headerLength = lengthBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw new CodecError(FORMAT, `truncated: header of ${headerLength} bytes runs past the end of the file`);
  }
  const headerBytes = bytes.subarray(8 + lengthBytes, dataStart);
  // v1 and v2 headers are latin1; v3 allows UTF-8. numpy's own headers are ASCII either way.
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortranOrder, shape } = readHeaderDict(parsePyLiteral(headerText));

  const dtype = dtypeFromNpy(descr);
  if (dtype === undefined) {
    if (descr.startsWith('>')) {
      throw new CodecError(FORMAT, `big-endian dtype '${descr}' is not supported; save with a '<' dtype`);
    }
    const known = DTYPE_NAMES.map((d) => `'${DTYPES[d].npy}'`).join(', ');
    throw new CodecError(FORMAT, `unsupported dtype '${descr}' (supported: ${known})`);
  }
  if (fortranOrder && shape.length > 1) {
    throw new CodecError(FORMAT, `fortran_order arrays are not supported (shape [${shape.join(', ')}])`);
  }
  const needed = shapeSize(shape) * DTYPES[dtype].itemSize;
  const available = bytes.length - dataStart;
  if (available < needed) {
    throw new CodecError(
      FORMAT,
      `truncated data: shape [${shape.join(', ')}] of '${descr}' needs ${needed} bytes, file has ${available}`,
    );
  }
  if (available > needed) {
    throw new CodecError(FORMAT, `${available - needed} trailing bytes after the array data`);
  }
  return new HostTensor(dtype, shape, typedArrayFromBytes(dtype, bytes, dataStart, needed));
}

function readHeaderDict(value: PyValue): { descr: string; fortranOrder: boolean; shape: number[] } {
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CodecError(FORMAT, 'header is not a dict');
  }
  const keys = Object.keys(value).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw new CodecError(FORMAT, `header keys must be descr, fortran_order, shape; got ${keys}`);
  }
  const { descr, fortran_order: fortranOrder, shape } = value;
  if (typeof descr !== 'string') {
    throw new CodecError(FORMAT, 'structured dtypes (a descr that is not a single string) are not supported');
  }
  if (typeof fortranOrder !== 'boolean')
    throw new CodecError(FORMAT, 'header fortran_order must be True or False');
  validateShape(shape, FORMAT, 'header shape');
  return { descr, fortranOrder, shape };
}
