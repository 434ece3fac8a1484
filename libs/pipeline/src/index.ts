export * from './registry/groups.js';
export * from './stage.js';
export * from './study/index.js';
export * from './train/index.js';
