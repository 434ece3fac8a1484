/**
 * safetensors (https://github.com/huggingface/safetensors, format section of its README):
 *   u64 little-endian N | N bytes of UTF-8 JSON header | byte buffer
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative
 * to the buffer start) plus an optional "__metadata__" map of string → string. Tensors tile the
 * buffer exactly: no gaps, no overlaps, nothing after the last one.
 */
import { DTYPE_NAMES, DTYPES, type DType, dtypeFromSafetensors } from './dtypes.js';
import { CodecError } from './errors.js';
import { describe, HostTensor, shapeSize, typedArrayFromBytes, validateShape } from './host-tensor.js';

const FORMAT = 'safetensors';
const METADATA_KEY = '__metadata__';
/** The reference implementation refuses headers above 100 MB; so do we, before allocating. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContents {
  tensors: Record<string, HostTensor>;
  /** The "__metadata__" map; empty when the file has none. */
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Serialises tensors (any shapes and dtypes) and optional string metadata. Deterministic: header
 * keys are sorted ("__metadata__" first), the header is space-padded so the buffer starts at a
 * multiple of 8, and tensors are laid out by descending element size, then name, so every tensor
 * is aligned for zero-copy reading (the reference implementation orders them the same way).
 */
export function encodeSafetensors(
  tensors: Record<string, HostTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    if (name === METADATA_KEY)
      throw new CodecError(FORMAT, `"${METADATA_KEY}" is reserved, not a tensor name`);
    if (!(tensors[name] instanceof HostTensor)) {
      throw new CodecError(FORMAT, `tensor "${name}" is ${describe(tensors[name])}, not a HostTensor`);
    }
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header[METADATA_KEY] = checkMetadata(metadata);

  const layoutOrder = [...names].sort(
    (a, b) => DTYPES[tensors[b]!.dtype].itemSize - DTYPES[tensors[a]!.dtype].itemSize || (a < b ? -1 : 1),
  );
  const offsets = new Map<string, [number, number]>();
  let bufferLength = 0;
  for (const name of layoutOrder) {
    const begin = bufferLength;
    bufferLength += tensors[name]!.data.byteLength;
    offsets.set(name, [begin, bufferLength]);
  }
  for (const name of names) {
    const t = tensors[name]!;
    header[name] = { dtype: DTYPES[t.dtype].safetensors, shape: t.shape, data_offsets: offsets.get(name) };
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + bufferLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  const bufferStart = 8 + headerLength;
  for (const name of names) {
    out.set(tensors[name]!.bytes(), bufferStart + offsets.get(name)![0]);
  }
  return out;
}

/**
 * Parses and fully validates a safetensors file. Tensor data are views into `bytes` where the
 * element alignment allows (the file must outlive them, or clone them), copies otherwise.
 * Throws a CodecError naming the first problem found.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) {
    throw new CodecError(FORMAT, `truncated: ${bytes.length} bytes, need at least 8 for the header length`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw new CodecError(
      FORMAT,
      `header length ${declared} is beyond the file (${bytes.length - 8} bytes follow)`,
    );
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new CodecError(FORMAT, `header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const header = parseHeader(bytes.subarray(8, 8 + headerLength));
  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.length - bufferStart;

  const metadata = header[METADATA_KEY] === undefined ? {} : checkMetadata(header[METADATA_KEY]);
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    const entry = checkEntry(name, raw);
    const dtype = dtypeFromSafetensors(entry.dtype);
    if (dtype === undefined) {
      const known = DTYPE_NAMES.map((d) => DTYPES[d].safetensors).join(', ');
      throw new CodecError(
        FORMAT,
        `tensor "${name}" has unknown dtype "${entry.dtype}" (supported: ${known})`,
      );
    }
    const [begin, end] = entry.data_offsets;
    const needed = shapeSize(entry.shape) * DTYPES[dtype].itemSize;
    if (end - begin !== needed) {
      throw new CodecError(
        FORMAT,
        `tensor "${name}": shape [${entry.shape.join(', ')}] of ${entry.dtype} needs ${needed} bytes ` +
          `but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    if (end > bufferLength) {
      throw new CodecError(
        FORMAT,
        `tensor "${name}": data_offsets [${begin}, ${end}] are out of range (buffer is ${bufferLength} bytes)`,
      );
    }
    entries.push({ name, dtype, shape: entry.shape, begin, end });
  }
  checkTiling(entries, bufferLength);

  const tensors: Record<string, HostTensor> = {};
  for (const e of entries) {
    const data = typedArrayFromBytes(e.dtype, bytes, bufferStart + e.begin, e.end - e.begin);
    tensors[e.name] = new HostTensor(e.dtype, e.shape, data);
  }
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new CodecError(FORMAT, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{'))
    throw new CodecError(FORMAT, `header must start with "{", got ${describe(text)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CodecError(FORMAT, `header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CodecError(FORMAT, `header must be a JSON object, got ${describe(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

function checkMetadata(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CodecError(FORMAT, `"${METADATA_KEY}" must be an object of strings, got ${describe(raw)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') {
      throw new CodecError(FORMAT, `metadata "${key}" must be a string, got ${describe(value)}`);
    }
    out[key] = value;
  }
  return out;
}

function checkEntry(name: string, raw: unknown): HeaderEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CodecError(FORMAT, `tensor "${name}" must be an object, got ${describe(raw)}`);
  }
  const { dtype, shape, data_offsets: offsets, ...extra } = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(extra);
  if (unknownKeys.length > 0) {
    throw new CodecError(FORMAT, `tensor "${name}" has unknown fields: ${unknownKeys.join(', ')}`);
  }
  if (typeof dtype !== 'string') throw new CodecError(FORMAT, `tensor "${name}" has no string dtype`);
  validateShape(shape, FORMAT, `tensor "${name}" shape`);
  const validOffset = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(validOffset)) {
    throw new CodecError(FORMAT, `tensor "${name}" data_offsets must be two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw new CodecError(FORMAT, `tensor "${name}" data_offsets [${begin}, ${end}] end before begin`);
  return { dtype, shape, data_offsets: [begin, end] };
}

/** Tensors sorted by offset must cover [0, bufferLength) exactly, each starting where the last ended. */
function checkTiling(entries: { name: string; begin: number; end: number }[], bufferLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = 'the buffer start';
  for (const e of sorted) {
    if (e.begin < cursor) {
      throw new CodecError(FORMAT, `tensor "${e.name}" at [${e.begin}, ${e.end}] overlaps ${previous}`);
    }
    if (e.begin > cursor) {
      throw new CodecError(
        FORMAT,
        `gap of ${e.begin - cursor} bytes between ${previous} and tensor "${e.name}"`,
      );
    }
    cursor = e.end;
    previous = `tensor "${e.name}"`;
  }
  if (cursor < bufferLength) {
    throw new CodecError(FORMAT, `${bufferLength - cursor} trailing bytes after ${previous}`);
  }
}
