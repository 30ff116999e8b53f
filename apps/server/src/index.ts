export { startFluxi, TARGETS, type FluxiSystem, type Target } from './system.js';
export { runCli } from './cli.js';
