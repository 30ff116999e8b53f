export * from './database.js';
export * from './open.js';
export * from './migrate.js';
export * from './sql-errors.js';
export * from './embedded-dir.js';
