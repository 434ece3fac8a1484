export * from './stage.js';
export * from './train/index.js';
