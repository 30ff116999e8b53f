export * from './version.js';
export * from './ids.js';
export * from './errors.js';
export * from './logger.js';
export * from './config/schema.js';
export * from './config/load.js';
export * from './lifecycle.js';
export * from './run-alone.js';
