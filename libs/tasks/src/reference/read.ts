/** `readReferenceData(dir?)`: all of the authors' released data, as memgen configs and items. */
import { type AdditionReference, readAdditionReference } from './addition.js';
import { type CipherReference, readCipherReference } from './cipher.js';
import { type ColorReference, readColorReference } from './color.js';
import { referenceDataDir } from './files.js';

export interface ReferenceData {
  readonly dir: string;
  readonly addition: AdditionReference;
  readonly cipher: CipherReference;
  readonly color: ColorReference;
}

/**
 * Reads and validates every reference file under `referenceDataDir(dir)`. A missing or malformed
 * file is an Error naming it (check `referenceDataPresent()` first to skip instead).
 */
export function readReferenceData(dir?: string): ReferenceData {
  const root = referenceDataDir(dir);
  return {
    dir: root,
    addition: readAdditionReference(root),
    cipher: readCipherReference(root),
    color: readColorReference(root),
  };
}
