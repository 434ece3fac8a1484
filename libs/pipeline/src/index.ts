export * from './stage.js';
