import type { JobDefinition } from '../job.js';
import type { PipelineDefinition } from '../pipeline.js';
import type { ScheduleDefinition } from '../schedule.js';

/**
 * Definitions by name, independent of ids: a pipeline entry's `jobId` holds the
 * job's NAME and a schedule's `pipelineId` the pipeline's NAME. Both a file and the
 * catalog's content are brought to this form to be compared and written.
 */
export interface NamedDefinitions {
  jobs: Map<string, JobDefinition>;
  pipelines: Map<string, PipelineDefinition>;
  schedules: Map<string, ScheduleDefinition>;
}

export const DEFINITION_KINDS = ['job', 'pipeline', 'schedule'] as const;
export type DefinitionKind = (typeof DEFINITION_KINDS)[number];

/** Names sorted by UTF-16 code units, the same everywhere (database collations differ). */
export function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
