export * from './trace-context.js';
export * from './ids.js';
export * from './spans.js';
export * from './sdk.js';
export * from './http.js';
