/**
 * The wire codec for every bus message: msgpack via the project's tensor-aware Packr, so
 * HostTensors inside a message travel as raw bytes. A size guard on both sides keeps messages well
 * below the server's max_payload (a too-big NATS publish is an error or a silent non-reply,
 * depending on the client), and decoding never throws anything but a BusMessageError.
 */
import { createPackr } from '@memgen/tensor';
import { BusMessageError, errorText } from './errors.js';

/** Default message ceiling: 1 MiB. Anything bigger belongs in the Object Store. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export interface BusCodec {
  /** Largest encoded message, in bytes, this codec accepts in either direction. */
  readonly maxBytes: number;
  /** Encodes a value; throws BusMessageError('oversize') above maxBytes, ('invalid') if unencodable. */
  encode(value: unknown): Uint8Array;
  /** Decodes bytes into a fresh value that shares no memory with `bytes`; throws only BusMessageError. */
  decode(bytes: Uint8Array): unknown;
}

export interface BusCodecOptions {
  /** Largest encoded message in bytes (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxBytes?: number;
}

/**
 * Creates the bus codec.
 * @throws Error when maxBytes is not a positive integer.
 */
export function createBusCodec(options: BusCodecOptions = {}): BusCodec {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new Error(`bus codec: maxBytes must be a positive integer, got ${maxBytes}`);
  }
  const packr = createPackr();
  return {
    maxBytes,
    encode(value: unknown): Uint8Array {
      let bytes: Uint8Array;
      try {
        bytes = packr.pack(value);
      } catch (error) {
        throw new BusMessageError('invalid', `cannot encode message: ${errorText(error)}`);
      }
      if (bytes.byteLength > maxBytes) {
        throw new BusMessageError(
          'oversize',
          `encoded message of ${bytes.byteLength} bytes exceeds the ${maxBytes}-byte limit ` +
            '(put large data in the Object Store and send its name and digest)',
        );
      }
      return bytes;
    },
    decode(bytes: Uint8Array): unknown {
      if (bytes.byteLength > maxBytes) {
        throw new BusMessageError(
          'oversize',
          `message of ${bytes.byteLength} bytes exceeds the ${maxBytes}-byte limit`,
        );
      }
      if (bytes.byteLength === 0) throw new BusMessageError('malformed', 'empty message');
      // A received payload is a view into the socket's read buffer, which the client reuses:
      // decode a private copy so tensors decoded as views can never be overwritten underneath us.
      const own = Buffer.from(bytes);
      try {
        return packr.unpack(own);
      } catch (error) {
        throw new BusMessageError('malformed', `undecodable msgpack message: ${errorText(error)}`);
      }
    },
  };
}
