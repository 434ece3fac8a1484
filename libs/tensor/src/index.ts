// Kept for the packages that still import these from here; they live in @memgen/common.
export { canonicalJson, configHash, sha256, writeFileAtomic } from '@memgen/common';
export * from './backend.js';
export * from './codecs/index.js';
export * from './fused/index.js';
export * from './testing.js';
