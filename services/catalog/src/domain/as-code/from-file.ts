import type { JobInput } from '../job.js';
import type { PipelineInput, StageEntryInput } from '../pipeline.js';
import type { ScheduleInput } from '../schedule.js';
import type { YamlPath } from './problems.js';
import type { FileEntry, FileJob, FilePipeline, FileSchedule } from './schema.js';

/**
 * A file's definitions as the domain validators' inputs, and the way back from a
 * validator's field path (`input.env[1].name`) to the YAML path it came from.
 * Entries name their job: the input's `jobId` is the job's name.
 */

const upper = <T extends string>(value: T | undefined): Uppercase<T> | undefined =>
  value === undefined ? undefined : (value.toUpperCase() as Uppercase<T>);

export function jobInput(name: string, job: FileJob): JobInput {
  const { retry, docker } = job;
  return {
    ...job,
    name,
    env: Object.entries(job.env ?? {}).map(([key, value]) =>
      typeof value === 'string' ? { name: key, value } : { name: key, value: value.value, secret: true },
    ),
    retry:
      retry === undefined
        ? undefined
        : { ...retry, on: retry.on?.map((on) => on.toUpperCase()), backoff: upper(retry.backoff) },
    docker: docker === undefined ? undefined : { ...docker, pullPolicy: upper(docker.pullPolicy) },
  };
}

export function pipelineInput(name: string, pipeline: FilePipeline): PipelineInput {
  const { git } = pipeline;
  return {
    ...pipeline,
    git: git === undefined ? undefined : { ...git, events: git.events?.map((event) => event.toUpperCase()) },
    name,
    stages: pipeline.stages.map((stage) => ({ name: stage.name, entries: stage.jobs.map(entryInput) })),
  };
}

function entryInput(entry: FileEntry): StageEntryInput {
  return {
    jobId: entry.job,
    name: entry.name,
    needs: entry.needs,
    when: upper(entry.when),
    allowFailure: entry.allowFailure,
    matrix: Object.entries(entry.matrix ?? {}).map(([axis, values]) => ({ name: axis, values })),
    pool: entry.pool,
    tags: entry.tags,
    artifactsFrom: entry.artifactsFrom,
    startAtOnce: entry.startAtOnce,
    allowFailureExitCodes: entry.allowFailureExitCodes,
    rules: entry.rules?.map((rule) => ({ if: rule.if, when: upper(rule.when), allowFailure: rule.allowFailure })),
  };
}

/** Target ids are names here (NamedDefinitions form). */
export function scheduleInput(name: string, schedule: FileSchedule): ScheduleInput {
  const { pipeline, targets, overlap, missedFires, ...rest } = schedule;
  return {
    ...rest,
    name,
    pipelineId: pipeline,
    targets: targets?.map((target) => ({ pipelineId: target.pipeline, jobId: target.job })),
    overlap: overlap?.toUpperCase(),
    missedFires: missedFires?.toUpperCase(),
  };
}

/** Where a fault lies in the file: a path, and whether it is the key (a name) rather than the value. */
export interface FileLocation {
  path: YamlPath;
  at?: 'key';
}

export function jobLocation(name: string, job: FileJob, field: YamlPath): FileLocation {
  const root = ['jobs', name];
  const [first, index, part] = field;
  if (first === 'name') return { path: root, at: 'key' };
  if (first === 'env' && typeof index === 'number') {
    const key = Object.keys(job.env ?? {})[index] ?? index;
    return part === 'name' ? { path: [...root, 'env', key], at: 'key' } : { path: [...root, 'env', key] };
  }
  return { path: [...root, ...field] };
}

export function pipelineLocation(name: string, pipeline: FilePipeline, field: YamlPath): FileLocation {
  const root = ['pipelines', name];
  const [first, s, entries, e, ...rest] = field;
  if (first === 'name') return { path: root, at: 'key' };
  if (first !== 'stages' || typeof s !== 'number' || entries !== 'entries') return { path: [...root, ...field] };
  const stagePath = [...root, 'stages', s, 'jobs'];
  if (typeof e !== 'number') return { path: stagePath };
  const entry = pipeline.stages[s]?.jobs[e];
  return entryLocation([...stagePath, e], entry, rest);
}

function entryLocation(root: YamlPath, entry: FileEntry | undefined, field: YamlPath): FileLocation {
  const [first, a, part, ...rest] = field;
  if (first === 'jobId') return { path: [...root, 'job'] };
  if (first === 'name') return { path: [...root, entry?.name === undefined ? 'job' : 'name'] };
  if (first === 'matrix' && typeof a === 'number') {
    const axis = Object.keys(entry?.matrix ?? {})[a] ?? a;
    if (part === 'name') return { path: [...root, 'matrix', axis], at: 'key' };
    return { path: [...root, 'matrix', axis, ...rest] };
  }
  return { path: [...root, ...field] };
}

export function scheduleLocation(name: string, field: YamlPath): FileLocation {
  const root = ['schedules', name];
  const [first] = field;
  if (first === 'name') return { path: root, at: 'key' };
  if (first === 'pipelineId') return { path: [...root, 'pipeline'] };
  const [, index, kind] = field;
  if (first === 'targets' && typeof index === 'number' && kind !== undefined) {
    return { path: [...root, 'targets', index, kind === 'jobId' ? 'job' : 'pipeline'] };
  }
  return { path: [...root, ...field] };
}
