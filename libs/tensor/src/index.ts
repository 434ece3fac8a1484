export * from './backend.js';
export * from './codecs/index.js';
export * from './fused/index.js';
export { withNativeThreads, withThreadsForGemm } from './native/index.js';
export { NativeKVStore } from './native/kv-store.js';
export * from './testing.js';
