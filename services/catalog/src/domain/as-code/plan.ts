import { canonicalJob, canonicalPipeline, canonicalSchedule } from './canonical.js';
import { sortedNames, type DefinitionKind, type NamedDefinitions } from './definitions.js';
import { jobSchema, pipelineSchema, scheduleSchema } from './schema.js';

export type ChangeAction = 'create' | 'update' | 'unchanged';

export interface DefinitionChange {
  kind: DefinitionKind;
  name: string;
  action: ChangeAction;
  /** Written field names that differ (for an update), in schema order. */
  fields: string[];
}

/**
 * What importing `desired` into a catalog holding `current` does, definition by
 * definition (jobs, then pipelines, then schedules, each by name). Definitions of
 * the catalog that the file does not mention are left alone and not listed.
 */
export function planChanges(desired: NamedDefinitions, current: NamedDefinitions): DefinitionChange[] {
  return [
    ...compare('job', desired.jobs, current.jobs, canonicalJob, Object.keys(jobSchema.shape)),
    ...compare('pipeline', desired.pipelines, current.pipelines, canonicalPipeline, Object.keys(pipelineSchema.shape)),
    ...compare('schedule', desired.schedules, current.schedules, canonicalSchedule, Object.keys(scheduleSchema.shape)),
  ];
}

function compare<D>(
  kind: DefinitionKind,
  desired: ReadonlyMap<string, D>,
  current: ReadonlyMap<string, D>,
  write: (definition: D) => object,
  fieldOrder: readonly string[],
): DefinitionChange[] {
  return sortedNames(desired.keys()).map((name) => {
    const before = current.get(name);
    if (before === undefined) return { kind, name, action: 'create', fields: [] };
    const a = write(before) as Record<string, unknown>;
    const b = write(desired.get(name) as D) as Record<string, unknown>;
    const fields = fieldOrder.filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]));
    return { kind, name, action: fields.length === 0 ? 'unchanged' : 'update', fields };
  });
}
