import { FluxiError, type SecretKeyRing } from '@fluxi/common';
import type { SqlExecutor } from '@fluxi/db';
import type { NamedDefinitions } from '../domain/as-code/definitions.js';
import type { DefinitionChange } from '../domain/as-code/plan.js';
import type { Job } from '../domain/job.js';
import { keepStoredSecretEnv } from '../domain/secret-env.js';
import type { Pipeline, PipelineDefinition } from '../domain/pipeline.js';
import type { Schedule } from '../domain/schedule.js';
import { insertJob, JOB_COLUMNS, updateJobRow } from './job-store.js';
import { insertPipeline, PIPELINE_COLUMNS, updatePipelineRow } from './pipeline-store.js';
import { insertSchedule, SCHEDULE_COLUMNS, updateScheduleRow } from './schedule-store.js';

/** The whole catalog by name, and the id of each name (to write changes). */
export interface CatalogContent {
  definitions: NamedDefinitions;
  jobIds: Map<string, string>;
  pipelineIds: Map<string, string>;
  scheduleIds: Map<string, string>;
}

/**
 * Reads every job, pipeline and schedule in the caller's transaction, ids replaced by
 * names. `lock` takes row locks for a transaction that will write what it read.
 */
export async function readCatalog(tx: SqlExecutor, lock = false): Promise<CatalogContent> {
  const forUpdate = lock ? ' FOR UPDATE' : '';
  const jobs = await tx.query<Job>(`SELECT ${JOB_COLUMNS} FROM jobs${forUpdate}`);
  const pipelines = await tx.query<Pipeline>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines${forUpdate}`);
  const schedules = await tx.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules s${forUpdate}`);
  const jobNames = new Map(jobs.map((job) => [job.id, job.name]));
  const pipelineNames = new Map(pipelines.map((pipeline) => [pipeline.id, pipeline.name]));
  const nameOf = (names: Map<string, string>, id: string): string => {
    const name = names.get(id);
    if (name === undefined) throw new FluxiError('INTERNAL', `${id} is referenced but missing`);
    return name;
  };
  return {
    definitions: {
      jobs: new Map(jobs.map((job) => [job.name, definitionOf(job)])),
      pipelines: new Map(
        pipelines.map((pipeline) => [pipeline.name, withJobRefs(definitionOf(pipeline), (id) => nameOf(jobNames, id))]),
      ),
      schedules: new Map(
        schedules.map(({ activeSince: _since, ...schedule }) => [
          schedule.name,
          {
            ...definitionOf(schedule),
            targets: schedule.targets.map((target) => ({
              pipelineId: target.pipelineId === null ? null : nameOf(pipelineNames, target.pipelineId),
              jobId: target.jobId === null ? null : nameOf(jobNames, target.jobId),
            })),
          },
        ]),
      ),
    },
    jobIds: new Map(jobs.map((job) => [job.name, job.id])),
    pipelineIds: new Map(pipelines.map((pipeline) => [pipeline.name, pipeline.id])),
    scheduleIds: new Map(schedules.map((schedule) => [schedule.name, schedule.id])),
  };
}

/**
 * Writes the created and updated definitions of a plan (jobs, then pipelines, then
 * schedules, so references resolve) in the caller's transaction.
 */
export async function applyChanges(
  tx: SqlExecutor,
  desired: NamedDefinitions,
  current: CatalogContent,
  changes: readonly DefinitionChange[],
  keys: SecretKeyRing,
): Promise<void> {
  const jobIds = new Map(current.jobIds);
  const pipelineIds = new Map(current.pipelineIds);
  const idOf = (ids: Map<string, string>, name: string): string => {
    const id = ids.get(name);
    if (id === undefined) throw new FluxiError('INTERNAL', `no id for ${name}`);
    return id;
  };
  const written = (kind: DefinitionChange['kind']) =>
    changes.filter((change) => change.kind === kind && change.action !== 'unchanged');
  for (const { name, action } of written('job')) {
    const file = desired.jobs.get(name);
    if (file === undefined) continue;
    // A secret env entry without a value (an exported file never has one) keeps the stored value.
    const job = { ...file, env: keepStoredSecretEnv(file.env, current.definitions.jobs.get(name)?.env ?? []) };
    const saved =
      action === 'create' ? await insertJob(tx, job, keys) : await updateJobRow(tx, idOf(jobIds, name), job, keys);
    jobIds.set(name, saved.id);
  }
  for (const { name, action } of written('pipeline')) {
    const named = desired.pipelines.get(name);
    if (named === undefined) continue;
    const pipeline = withJobRefs(named, (jobName) => idOf(jobIds, jobName));
    const saved =
      action === 'create'
        ? await insertPipeline(tx, pipeline)
        : await updatePipelineRow(tx, idOf(pipelineIds, name), pipeline);
    pipelineIds.set(name, saved.id);
  }
  for (const { name, action } of written('schedule')) {
    const named = desired.schedules.get(name);
    if (named === undefined) continue;
    const schedule = {
      ...named,
      targets: named.targets.map((target) => ({
        pipelineId: target.pipelineId === null ? null : idOf(pipelineIds, target.pipelineId),
        jobId: target.jobId === null ? null : idOf(jobIds, target.jobId),
      })),
    };
    if (action === 'create') await insertSchedule(tx, schedule);
    else await updateScheduleRow(tx, idOf(current.scheduleIds, name), schedule);
  }
}

/** The pipeline with each entry's jobId mapped (ids ↔ names). */
function withJobRefs(pipeline: PipelineDefinition, map: (jobId: string) => string): PipelineDefinition {
  return {
    ...pipeline,
    stages: pipeline.stages.map((stage) => ({
      ...stage,
      entries: stage.entries.map((entry) => ({ ...entry, jobId: map(entry.jobId) })),
    })),
  };
}

/** A stored row without its id and timestamps. */
function definitionOf<T extends { id: string; createdAt: Date; updatedAt: Date }>(
  row: T,
): Omit<T, 'id' | 'createdAt' | 'updatedAt'> {
  const { id: _id, createdAt: _created, updatedAt: _updated, ...definition } = row;
  return definition;
}
