import { badInput } from '@fluxi/common';
import { sortedNames } from '../definitions.js';
import type { FileEntry, FileJob, FilePipeline } from '../schema.js';
import type { FileSections } from '../to-yaml.js';
import { convertJob } from './job.js';
import { readGitlabCi, type GitlabJob } from './read.js';
import { fluxiName, isRecord, scalarText, textList, uniqueName, type Raw } from './values.js';

export interface GitlabConversion {
  /** Fluxi jobs (named after the GitLab jobs) and one pipeline. */
  sections: FileSections;
  /** What could not be mapped, one `jobName.key: reason` each. */
  notMapped: string[];
}

interface Placed {
  gitlab: GitlabJob;
  job: string;
  stage: string;
  entries: FileEntry[];
}

/**
 * Converts the part of a `.gitlab-ci.yml` that maps onto Fluxi: each job with a
 * script becomes a job, and all of them one pipeline with GitLab's stages, needs,
 * when and parallel matrices. Everything else is listed in `notMapped`.
 */
export function convertGitlabCi(text: string, pipelineName: string): GitlabConversion {
  const config = readGitlabCi(text);
  const notMapped = [...config.notMapped];
  const stageOrder = ['.pre', ...config.stages.filter((s) => s !== '.pre' && s !== '.post'), '.post'];
  const jobs = new Map<string, FileJob>();
  const placed = new Map<string, Placed>();
  const taken = new Set<string>();
  const entryNames = new Set<string>();

  for (const gitlab of config.jobs) {
    const converted = convertJob(gitlab);
    if (converted === undefined) {
      notMapped.push(`${gitlab.name}: no script (trigger and other script-less jobs are not mapped), left out`);
      continue;
    }
    notMapped.push(...converted.notMapped);
    const name = uniqueName(fluxiName(gitlab.name), taken);
    if (name !== gitlab.name)
      notMapped.push(`${gitlab.name}: renamed ${name} (Fluxi names use letters, digits, _ . -)`);
    jobs.set(name, converted.job);
    const stage = scalarText(gitlab.config['stage']) ?? 'test';
    if (!stageOrder.includes(stage)) {
      notMapped.push(`${gitlab.name}.stage: ${stage} is not in stages, the job is left out of the pipeline`);
      continue;
    }
    const when = whenOf(gitlab, notMapped);
    if (when === 'skip') continue;
    const entries = matrixEntries(gitlab, name, entryNames, notMapped).map((entry) => ({
      ...entry,
      ...(when === undefined ? {} : { when }),
    }));
    placed.set(gitlab.name, { gitlab, job: name, stage, entries });
  }
  for (const place of placed.values()) {
    const needs = needsOf(place.gitlab, placed, notMapped);
    // Keys in the order an export writes them.
    place.entries = place.entries.map(({ job, name, when, matrix }) => ({
      job,
      ...(name === undefined ? {} : { name }),
      ...(needs.length === 0 ? {} : { needs }),
      ...(when === undefined ? {} : { when }),
      ...(matrix === undefined ? {} : { matrix }),
    }));
  }

  const stages: FilePipeline['stages'] = stageOrder
    .map((stage) => ({
      name: stage.startsWith('.') ? stage.slice(1) : fluxiName(stage),
      jobs: [...placed.values()].filter((p) => p.stage === stage).flatMap((p) => p.entries),
    }))
    .filter((stage) => stage.jobs.length > 0);
  if (stages.length === 0) throw badInput('the GitLab file has no job with a script to convert', 'yaml');
  return {
    sections: {
      jobs: new Map(sortedNames(jobs.keys()).map((name) => [name, jobs.get(name) as FileJob])),
      pipelines: new Map([[pipelineName, { description: 'Converted from .gitlab-ci.yml', stages }]]),
      schedules: new Map(),
    },
    notMapped,
  };
}

/** The entry's when; 'skip' for jobs left out of the pipeline (manual ones, `when: never`). */
function whenOf(gitlab: GitlabJob, notMapped: string[]): FileEntry['when'] | 'skip' {
  const when = scalarText(gitlab.config['when']) ?? 'on_success';
  switch (when) {
    case 'on_success':
      return undefined;
    case 'on_failure':
    case 'always':
      return when;
    case 'delayed':
      notMapped.push(`${gitlab.name}.when: delayed runs at once (start_in is dropped)`);
      return undefined;
    case 'manual':
      notMapped.push(
        `${gitlab.name}.when: manual jobs are not started by hand in Fluxi: the job is defined but left out of the pipeline`,
      );
      return 'skip';
    default:
      notMapped.push(`${gitlab.name}.when: ${when}: the job is defined but left out of the pipeline`);
      return 'skip';
  }
}

/** One entry, or one per `parallel: matrix` set (a Fluxi matrix is one cartesian product). */
function matrixEntries(gitlab: GitlabJob, job: string, names: Set<string>, notMapped: string[]): FileEntry[] {
  const parallel = gitlab.config['parallel'];
  if (typeof parallel === 'number' && parallel > 1) {
    const indexes = Array.from({ length: parallel }, (_, i) => String(i + 1));
    return [{ job, matrix: { CI_NODE_INDEX: indexes, CI_NODE_TOTAL: [String(parallel)] } }];
  }
  const sets = isRecord(parallel) && Array.isArray(parallel['matrix']) ? parallel['matrix'].filter(isRecord) : [];
  if (parallel !== undefined && sets.length === 0 && typeof parallel !== 'number') {
    notMapped.push(`${gitlab.name}.parallel: not mapped`);
  }
  if (sets.length === 0) {
    const name = uniqueName(job, names);
    return [{ job, ...(name === job ? {} : { name }) }];
  }
  if (sets.length > 1)
    notMapped.push(`${gitlab.name}.parallel.matrix: ${sets.length} variable sets become ${sets.length} entries`);
  return sets.map((set, i) => {
    const name = uniqueName(sets.length === 1 ? job : `${job}-${i + 1}`, names);
    const matrix = Object.fromEntries(Object.entries(set).map(([axis, values]) => [axis, textList(values)]));
    return { job, ...(name === job ? {} : { name }), matrix };
  });
}

/** Needs as entry names; needs Fluxi cannot follow (other projects, missing or left-out jobs) are dropped. */
function needsOf(gitlab: GitlabJob, placed: ReadonlyMap<string, Placed>, notMapped: string[]): string[] {
  const value = gitlab.config['needs'];
  if (Array.isArray(value) && value.length === 0) {
    notMapped.push(
      `${gitlab.name}.needs: an empty list (start at once) has no equivalent: the job waits for earlier stages`,
    );
  }
  const needs: string[] = [];
  for (const need of Array.isArray(value) ? value : []) {
    const target = typeof need === 'string' ? need : isRecord(need) ? scalarText(need['job']) : undefined;
    if (target === undefined || (isRecord(need) && (need['project'] !== undefined || need['pipeline'] !== undefined))) {
      notMapped.push(`${gitlab.name}.needs: ${describe(need)} is in another pipeline or project, dropped`);
      continue;
    }
    const entries = placed.get(target)?.entries;
    if (entries === undefined) {
      notMapped.push(`${gitlab.name}.needs: ${target} is not in the pipeline, dropped`);
      continue;
    }
    if (isRecord(need) && need['parallel'] !== undefined) {
      notMapped.push(`${gitlab.name}.needs: ${target} parallel selection not mapped: needs every run of it`);
    }
    for (const entry of entries) {
      const name = entry.name ?? entry.job;
      if (!needs.includes(name)) needs.push(name);
    }
  }
  return needs;
}

function describe(need: unknown): string {
  return typeof need === 'string' ? need : JSON.stringify(need as Raw);
}
