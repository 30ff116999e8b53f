export { startFluxi, TARGETS, type FluxiSystem, type Target } from './system.js';
export { runCli } from './cli.js';
export { READY_MESSAGE } from './executor-process.js';
