export * from './subgraph.js';
export * from './errors.js';
export * from './principal.js';
export { gql } from 'graphql-tag';
