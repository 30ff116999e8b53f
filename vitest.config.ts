import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests because NestJS's dependency injection needs the decorator
// metadata that esbuild (vitest's default) does not emit.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022' } })];

export default defineConfig({
  plugins,
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        plugins,
        test: {
          name: 'unit',
          include: ['{packages,services,apps}/*/src/**/*.test.ts'],
        },
      },
      {
        plugins,
        test: {
          name: 'integration',
          include: ['{packages,services,apps}/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
