/** Injection tokens for the dependencies main.ts opens and hands to the Nest module. */
export const DATABASE = Symbol('catalog.database');
export const NATS = Symbol('catalog.nats');
export const LOGGER = Symbol('catalog.logger');
export const GRAPHQL_RESOLVERS = Symbol('catalog.graphqlResolvers');
/** The named checks of GET /health (NATS, database). */
export const HEALTH_CHECKS = Symbol('catalog.healthChecks');
/** The catalog's part of the configuration (sessions, audit retention, schedule retries). */
export const CATALOG_CONFIG = Symbol('catalog.config');
