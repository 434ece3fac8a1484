export {
  fileDigest,
  readJson,
  readJsonLines,
  readText,
  temporaryPathFor,
  writeFileAtomic,
  writeJson,
} from './files.js';
export { canonicalJson, configHash, sha256 } from './hash.js';
export { deepMerge, isPlainObject, type PlainObject } from './merge.js';
export { exponentialDelays, type RetryOptions, retryWithBackoff, sleep } from './retry.js';
export { describeZodError, parseWith } from './zod-errors.js';
