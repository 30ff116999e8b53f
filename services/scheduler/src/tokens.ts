/** Nest injection tokens for what main.ts builds before the application starts. */
export const RUN_ENGINE = Symbol('RunEngine');
export const RUN_QUERIES = Symbol('RunQueries');
/** The named checks of GET /health (NATS, database, Redis), a `HealthChecks` of `@fluxi/common`. */
export const HEALTH_CHECKS = Symbol('HealthChecks');
