/** Nest injection tokens for what main.ts builds before the application starts. */
export const RUN_ENGINE = Symbol('RunEngine');
export const RUN_QUERIES = Symbol('RunQueries');
