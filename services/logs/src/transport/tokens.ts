/** Injection tokens for the dependencies main.ts hands to the Nest module. */
export const NATS = Symbol('NATS');
export const LOGGER = Symbol('LOGGER');
export const LOGS_CONFIG = Symbol('LOGS_CONFIG');
/** The named checks of GET /health (NATS, ClickHouse). */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
