import { availableParallelism } from 'node:os';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests because NestJS's dependency injection needs the decorator
// metadata that esbuild (vitest's default) does not emit.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022' } })];

// Two test files at a time even on two cores: the integration files spend most of their time
// waiting (servers starting, jobs running, polls), and vitest's default (cores - 1) ran them one
// after another at half the machine's CPU. At most four: each file may start a whole mesh.
// `--maxWorkers N` on the command line overrides it.
const maxWorkers = Math.min(4, Math.max(2, availableParallelism()));

export default defineConfig({
  plugins,
  test: {
    pool: 'forks',
    maxWorkers,
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
