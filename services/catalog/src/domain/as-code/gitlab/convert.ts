import { badInput } from '@fluxi/common';
import { sortedNames } from '../definitions.js';
import type { FileEntry, FileJob, FilePipeline } from '../schema.js';
import type { FileSections } from '../to-yaml.js';
import { matrixEntries } from './entries.js';
import { convertJob } from './job.js';
import { INCLUDED, waitsOf, type NeedTarget } from './needs.js';
import { readGitlabCi, type GitlabJob } from './read.js';
import { rulesOf } from './rules.js';
import { fluxiName, isRecord, scalarText, textList, uniqueName } from './values.js';

export interface GitlabConversion {
  /** Fluxi jobs (named after the GitLab jobs) and one pipeline (none when no job is placed in it). */
  sections: FileSections;
  /** What could not be mapped, one `jobName.key: reason` each. */
  notMapped: string[];
}

export interface ConvertOptions {
  /**
   * Job names the import must not take (jobs of the catalog that another pipeline, or no
   * pipeline, uses): such a GitLab job is named `<pipeline>.<name>` instead, so an import
   * never changes a definition it was not asked to change.
   */
  reserved?: ReadonlySet<string>;
}

interface Placed {
  gitlab: GitlabJob;
  job: string;
  stage: string;
  stageIndex: number;
  entries: FileEntry[];
}

/**
 * Converts the part of a `.gitlab-ci.yml` that maps onto Fluxi: each job with a
 * script becomes a job, and all of them one pipeline with GitLab's stages, needs,
 * dependencies, when and parallel matrices. What GitLab refuses is refused with its
 * reason; everything else that does not map is listed in `notMapped`.
 */
export function convertGitlabCi(text: string, pipelineName: string, options: ConvertOptions = {}): GitlabConversion {
  const config = readGitlabCi(text);
  const notMapped = [...config.notMapped];
  const stageOrder = ['.pre', ...config.stages.filter((s) => s !== '.pre' && s !== '.post'), '.post'];
  const reserved = options.reserved ?? new Set<string>();
  const jobs = new Map<string, FileJob>();
  const placed = new Map<string, Placed>();
  const taken = new Set<string>(reserved);
  const entryNames = new Set<string>();

  for (const gitlab of config.jobs) {
    const stage = scalarText(gitlab.config['stage']) ?? 'test';
    if (!stageOrder.includes(stage)) {
      throw badInput(
        `${gitlab.name}: chosen stage ${stage} does not exist; available stages are ${stageOrder.join(', ')} (GitLab refuses this file)`,
        `${gitlab.name}.stage`,
      );
    }
    const when = whenOf(gitlab, notMapped);
    const converted = convertJob(gitlab);
    if (converted === undefined) {
      notMapped.push(`${gitlab.name}: no script (trigger and other script-less jobs are not mapped), left out`);
      continue;
    }
    notMapped.push(...converted.notMapped);
    const base = fluxiName(gitlab.name);
    const name = uniqueName(reserved.has(base) ? fluxiName(`${pipelineName}.${base}`) : base, taken);
    if (reserved.has(base))
      notMapped.push(`${gitlab.name}: job ${base} belongs to another pipeline or stands alone: imported as ${name}`);
    else if (name !== gitlab.name)
      notMapped.push(`${gitlab.name}: renamed ${name} (Fluxi names use letters, digits, _ . -)`);
    jobs.set(name, converted.job);
    const entries = matrixEntries(gitlab, name, base, entryNames, notMapped).map((entry) => ({
      ...entry,
      ...(when === undefined ? {} : { when }),
    }));
    placed.set(gitlab.name, { gitlab, job: name, stage, stageIndex: stageOrder.indexOf(stage), entries });
  }
  const targets = new Map<string, NeedTarget>(
    [...placed].map(([name, place]) => [
      name,
      { stageIndex: place.stageIndex, entries: place.entries.map((entry) => entry.name ?? entry.job) },
    ]),
  );
  const known = new Set(config.jobs.map((job) => job.name));
  if (config.includes) known.add(INCLUDED);
  for (const place of placed.values()) {
    const waits = waitsOf(place.gitlab, place.stageIndex, targets, known, notMapped);
    // Keys in the order an export writes them.
    const exitCodes = exitCodesOf(place.gitlab.config['allow_failure']);
    const rules = rulesOf(place.gitlab, notMapped);
    // GitLab's manual jobs may fail unless they say otherwise (non-blocking); rules' manual ones may not.
    const allow = place.gitlab.config['allow_failure'];
    const manualAllows = scalarText(place.gitlab.config['when']) === 'manual' && allow !== false && allow !== true;
    place.entries = place.entries.map(({ job, name, when, matrix }) => ({
      job,
      ...(name === undefined ? {} : { name }),
      ...(waits.needs.length === 0 ? {} : { needs: waits.needs }),
      ...(when === undefined ? {} : { when }),
      ...(manualAllows ? { allowFailure: true } : {}),
      ...(matrix === undefined ? {} : { matrix }),
      ...(waits.artifactsFrom === undefined ? {} : { artifactsFrom: waits.artifactsFrom }),
      ...(exitCodes.length === 0 ? {} : { allowFailureExitCodes: exitCodes }),
      ...(rules === undefined ? {} : { rules }),
      ...(waits.startAtOnce === undefined ? {} : { startAtOnce: true }),
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

/** `allow_failure: { exit_codes: 3 | [..] }`: the exit codes whose failure does not fail the run. */
function exitCodesOf(value: unknown): number[] {
  if (!isRecord(value)) return [];
  return textList(value['exit_codes'])
    .map(Number)
    .filter((code) => Number.isInteger(code) && code >= 0 && code <= 255);
}

/** The entry's when (undefined: on_success); GitLab refuses the others at job level. */
function whenOf(gitlab: GitlabJob, notMapped: string[]): FileEntry['when'] {
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
      return 'manual';
    default:
      throw badInput(`${gitlab.name} when unknown value: ${when} (GitLab refuses this file)`, `${gitlab.name}.when`);
  }
}
