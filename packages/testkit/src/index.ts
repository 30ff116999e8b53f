export * from './ports.js';
export * from './wait.js';
export * from './nats-server.js';
export * from './redis-server.js';
export * from './postgres.js';
export * from './tmp.js';
export * from './process.js';
export * from './processes.js';
