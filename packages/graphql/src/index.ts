export * from './subgraph.js';
export * from './errors.js';
export * from './principal.js';
export * from './in-process.js';
export { gql } from 'graphql-tag';
