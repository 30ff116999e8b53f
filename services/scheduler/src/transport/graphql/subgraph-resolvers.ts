import { Inject, Injectable } from '@nestjs/common';
import type { Resolvers } from '@fluxi/graphql';
import type { RunQueries } from '../../engine/queries.js';
import type { TriggerSystem } from '../../engine/systems/trigger.js';
import { RUN_QUERIES, TRIGGER_SYSTEM } from '../../tokens.js';
import { buildResolvers } from './resolvers.js';

/** Provides the subgraph's resolvers from the engine's trigger system and the run queries. */
@Injectable()
export class SubgraphResolvers {
  constructor(
    @Inject(TRIGGER_SYSTEM) private readonly trigger: TriggerSystem,
    @Inject(RUN_QUERIES) private readonly queries: RunQueries,
  ) {}

  build(): Resolvers {
    return buildResolvers(this.trigger, this.queries);
  }
}
