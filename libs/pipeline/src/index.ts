export * from './chain/index.js';
export * from './metrics.js';
export * from './registry/index.js';
export * from './stage.js';
export * from './study/index.js';
export * from './train/index.js';
