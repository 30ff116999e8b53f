import { Inject, Injectable } from '@nestjs/common';
import type { Resolvers } from '@fluxi/graphql';
import type { RunQueries } from '../../engine/queries.js';
import type { RunEngine } from '../../engine/run-engine.js';
import { RUN_ENGINE, RUN_QUERIES } from '../../tokens.js';
import { buildResolvers } from './resolvers.js';

/** Provides the subgraph's resolvers from the run engine and the run queries. */
@Injectable()
export class SubgraphResolvers {
  constructor(
    @Inject(RUN_ENGINE) private readonly engine: RunEngine,
    @Inject(RUN_QUERIES) private readonly queries: RunQueries,
  ) {}

  build(): Resolvers {
    return buildResolvers(this.engine, this.queries);
  }
}
