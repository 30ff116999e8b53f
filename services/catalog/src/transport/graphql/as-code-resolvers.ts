import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { DefinitionsService } from '../../app/definitions.js';
import { definitionsJsonSchema } from '../../domain/as-code/json-schema.js';

interface YamlArgs {
  yaml: string;
  dryRun?: boolean | null;
}

/** Pipelines as code: queries need a reader, imports a writer (a dry run too); `imported` runs after an import. */
export function asCodeResolvers(definitions: DefinitionsService, imported: () => Promise<void>): Resolvers {
  const read = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'reader', what);
  const write = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'writer', what);
  return {
    Query: {
      definitionsSchema: (_: unknown, __: unknown, ctx: SubgraphContext) => {
        read(ctx, 'definitionsSchema');
        return definitionsJsonSchema();
      },
      exportDefinitions: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        read(ctx, 'exportDefinitions');
        return definitions.exportYaml();
      },
      validateDefinitions: async (_: unknown, { yaml }: YamlArgs, ctx: SubgraphContext) => {
        read(ctx, 'validateDefinitions');
        return definitions.validate(yaml);
      },
    },
    Mutation: {
      importDefinitions: async (_: unknown, { yaml, dryRun }: YamlArgs, ctx: SubgraphContext) => {
        write(ctx, 'importDefinitions');
        const result = await definitions.import(yaml, { dryRun: dryRun ?? false });
        // Schedules created or changed: the schedulers' copy (NATS KV) follows.
        if (dryRun !== true) await imported();
        return result;
      },
      importGitlabCi: async (
        _: unknown,
        { yaml, pipelineName, dryRun }: YamlArgs & { pipelineName: string },
        ctx: SubgraphContext,
      ) => {
        write(ctx, 'importGitlabCi');
        return definitions.importGitlabCi(yaml, pipelineName, dryRun ?? false);
      },
    },
  };
}
