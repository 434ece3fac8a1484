/**
 * The one error type every codec throws for malformed or unsupported input, so callers can tell
 * "these bytes are bad" apart from programming errors and I/O failures.
 */
export class CodecError extends Error {
  /** Which format rejected the input: 'safetensors', 'msgpack-tensor' or 'tensor'. */
  readonly format: string;

  constructor(format: string, message: string) {
    super(`${format}: ${message}`);
    this.name = 'CodecError';
    this.format = format;
  }
}
