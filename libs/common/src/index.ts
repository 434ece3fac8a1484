export { ENV_VARS, type EnvVar, envTableMarkdown } from './env-vars.js';
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
export { checkLimit, LIMITS, type Limit, type LimitName, limitOf, limitRefusal } from './limits.js';
export { deepMerge, isPlainObject, type PlainObject } from './merge.js';
export { resolveInside } from './paths.js';
export { Stream, type StreamState, stream, streamFromState } from './random.js';
export { exponentialDelays, type RetryOptions, retryWithBackoff, sleep } from './retry.js';
export { parseSeed, SEED_MAX, seedSchema } from './seed.js';
export { SpecError } from './spec-error.js';
export { parseSpecText } from './spec-text.js';
export { describeZodError, parseWith } from './zod-errors.js';
