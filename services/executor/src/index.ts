export { start } from './main.js';
export type { ExecutorOptions, RunningExecutor } from './main.js';
