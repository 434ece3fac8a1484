import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // NestJS resolves constructor dependencies from decorator metadata, which only SWC emits here
  // (legacyDecorator + decoratorMetadata, read from tsconfig's experimentalDecorators and
  // emitDecoratorMetadata).
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['libs/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // tfjs backends are process-global; one file per worker keeps them isolated.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
});
