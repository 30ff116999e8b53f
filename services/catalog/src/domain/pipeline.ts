import { badInput } from '@fluxi/common';
import { validateExitCodes } from './exit-codes.js';
import { validateRules, type EntryRule, type EntryRuleInput } from './entry-rules.js';
import { validateGitSource, type GitSource, type GitSourceInput } from './git-source.js';
import { MAX_TIMEOUT_SEC, optionalInt } from './job.js';
import { validateMatrix, type MatrixAxis, type MatrixAxisInput } from './matrix.js';
import { quote, requireName } from './names.js';
import { validateRetention, type Retention, type RetentionInput } from './retention.js';
import { checkNeeds, type LocatedEntry } from './needs.js';
import { optionalPool, validateTags } from './routing.js';

export const WHEN = ['ON_SUCCESS', 'ON_FAILURE', 'ALWAYS', 'MANUAL'] as const;
/** When an entry runs, given how what it waits for ended. */
export type When = (typeof WHEN)[number];

export interface StageEntryDefinition {
  /** Unique within the pipeline; the job's name unless the entry names itself. */
  name: string;
  jobId: string;
  /** Names of entries (of this or an earlier stage) that must finish first. */
  needs: string[];
  when: When;
  /** Expanded into one job run per combination of values. */
  matrix: MatrixAxis[];
  /** Overrides the job's allowFailure when not null. */
  allowFailure: boolean | null;
  /** Overrides the job's pool when not null. */
  pool: string | null;
  /** Tags required besides the job's own. */
  tags: string[];
  /**
   * Entries whose artifacts are restored before it starts (each one it waits for);
   * absent or null: every entry it waits for.
   */
  artifactsFrom?: string[] | null;
  /** Starts when the run starts, waiting for nothing (GitLab `needs: []`); never with needs. */
  startAtOnce?: boolean;
  /** A failure with one of these exit codes does not fail the run (GitLab `allow_failure: exit_codes`). */
  allowFailureExitCodes?: number[];
  /** Decided when a run is created (GitLab rules); absent or empty: the entry always runs. */
  rules?: EntryRule[];
}

export interface StageDefinition {
  name: string;
  entries: StageEntryDefinition[];
}

/** At most one open run per group; `cancelOlder` cancels the older ones instead of waiting. */
export interface Concurrency {
  group: string;
  cancelOlder: boolean;
}

export interface PipelineDefinition {
  name: string;
  description: string | null;
  stages: StageDefinition[];
  /** Whole-run timeout in seconds; null: none. */
  timeoutSec: number | null;
  concurrency: Concurrency | null;
  /** How long its ended runs and their logs are kept; null: the installation's defaults. */
  retention: Retention | null;
  /** The repository whose pushes start it (git webhooks); null: none. */
  git: GitSource | null;
}

export interface Pipeline extends PipelineDefinition {
  id: string;
  /** When its webhook secret was set; null: it has none. The secret itself is never read back. */
  webhookSecretSetAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Pipeline input as a client sends it. */
export interface PipelineInput {
  name?: string | null;
  description?: string | null;
  stages?: ReadonlyArray<StageInput> | null;
  timeoutSec?: number | null;
  concurrency?: { group?: string | null; cancelOlder?: boolean | null } | null;
  retention?: RetentionInput | null;
  git?: GitSourceInput | null;
}
export interface StageInput {
  name?: string | null;
  entries?: ReadonlyArray<StageEntryInput> | null;
}
export interface StageEntryInput {
  jobId?: string | null;
  name?: string | null;
  needs?: ReadonlyArray<string> | null;
  when?: string | null;
  matrix?: ReadonlyArray<MatrixAxisInput> | null;
  allowFailure?: boolean | null;
  pool?: string | null;
  tags?: ReadonlyArray<string> | null;
  artifactsFrom?: ReadonlyArray<string> | null;
  startAtOnce?: boolean | null;
  allowFailureExitCodes?: ReadonlyArray<number> | null;
  rules?: ReadonlyArray<EntryRuleInput> | null;
}

const MAX_DESCRIPTION = 2000;

/** Ids of the jobs an input refers to, so the caller can look them up before validating. */
export function referencedJobIds(input: PipelineInput): string[] {
  const ids = new Set<string>();
  for (const stage of input.stages ?? []) {
    for (const entry of stage.entries ?? []) if (typeof entry.jobId === 'string') ids.add(entry.jobId);
  }
  return [...ids];
}

/**
 * Validates a pipeline input against the jobs that exist (`jobNames`: job id →
 * job name). Throws BAD_USER_INPUT with the field path of the first fault.
 */
export function validatePipeline(
  input: PipelineInput,
  jobNames: ReadonlyMap<string, string>,
  path = 'input',
): PipelineDefinition {
  const name = requireName(input.name, 'pipeline name', `${path}.name`);
  const description = input.description ?? null;
  if (description !== null && description.length > MAX_DESCRIPTION) {
    throw badInput(`description is longer than ${MAX_DESCRIPTION} characters`, `${path}.description`);
  }
  const timeoutSec = optionalInt(input.timeoutSec, `${path}.timeoutSec`, 'timeoutSec', 1, MAX_TIMEOUT_SEC);
  const concurrency = concurrencyOf(input.concurrency, `${path}.concurrency`);
  const retention = validateRetention(input.retention, `${path}.retention`);
  const git = validateGitSource(input.git, `${path}.git`);
  const stagesInput = input.stages ?? [];
  if (stagesInput.length === 0) throw badInput('a pipeline needs at least one stage', `${path}.stages`);

  const entries = new Map<string, LocatedEntry>();
  const stageNames = new Map<string, number>();
  const stages = stagesInput.map((stage, s): StageDefinition => {
    const stagePath = `${path}.stages[${s}]`;
    const stageName = requireName(stage.name, 'stage name', `${stagePath}.name`);
    const first = stageNames.get(stageName);
    if (first !== undefined) {
      throw badInput(
        `stage name ${quote(stageName)} is used twice (stages[${first}] and stages[${s}])`,
        `${stagePath}.name`,
      );
    }
    stageNames.set(stageName, s);
    const entryInputs = stage.entries ?? [];
    if (entryInputs.length === 0)
      throw badInput(`stage ${quote(stageName)} needs at least one entry`, `${stagePath}.entries`);
    return {
      name: stageName,
      entries: entryInputs.map((input, e) => {
        const entryPath = `${stagePath}.entries[${e}]`;
        const entry = stageEntry(input, jobNames, entryPath);
        const previous = entries.get(entry.name);
        if (previous !== undefined) {
          throw badInput(
            `entry name ${quote(entry.name)} is used twice (${relative(previous.path, path)} and ${relative(entryPath, path)}); ` +
              'give one of them a distinct name',
            `${entryPath}.name`,
          );
        }
        entries.set(entry.name, {
          name: entry.name,
          needs: entry.needs,
          stage: s,
          stageName,
          path: entryPath,
          artifactsFrom: entry.artifactsFrom ?? null,
          startAtOnce: entry.startAtOnce === true,
        });
        return entry;
      }),
    };
  });

  checkNeeds(entries);
  return { name, description, stages, timeoutSec, concurrency, retention, git };
}

function stageEntry(input: StageEntryInput, jobNames: ReadonlyMap<string, string>, path: string): StageEntryDefinition {
  const jobId = input.jobId ?? '';
  if (jobId === '') throw badInput('jobId is required', `${path}.jobId`);
  const jobName = jobNames.get(jobId);
  if (jobName === undefined) throw badInput(`job ${jobId} does not exist`, `${path}.jobId`);
  const name =
    input.name === undefined || input.name === null ? jobName : requireName(input.name, 'entry name', `${path}.name`);
  const needs: string[] = [];
  (input.needs ?? []).forEach((need, n) => {
    if (need === '') throw badInput(`entry ${quote(name)} has an empty need`, `${path}.needs[${n}]`);
    if (needs.includes(need))
      throw badInput(`entry ${quote(name)} lists need ${quote(need)} twice`, `${path}.needs[${n}]`);
    needs.push(need);
  });
  if (input.startAtOnce === true && needs.length > 0) {
    throw badInput(`entry ${quote(name)} starts at once: it cannot have needs`, `${path}.startAtOnce`);
  }
  const when = input.when ?? 'ON_SUCCESS';
  if (!(WHEN as readonly string[]).includes(when)) {
    throw badInput(`when ${quote(when)} is invalid: use one of ${WHEN.join(', ')}`, `${path}.when`);
  }
  return {
    name,
    jobId,
    needs,
    when: when as When,
    matrix: validateMatrix(input.matrix, `${path}.matrix`),
    allowFailure: input.allowFailure ?? null,
    pool: optionalPool(input.pool, `${path}.pool`),
    tags: validateTags(input.tags, `${path}.tags`),
    ...(input.artifactsFrom === undefined || input.artifactsFrom === null
      ? {}
      : { artifactsFrom: [...new Set(input.artifactsFrom)] }),
    ...(input.startAtOnce === true ? { startAtOnce: true } : {}),
    ...exitCodesOf(input.allowFailureExitCodes, `${path}.allowFailureExitCodes`),
    ...rulesOf(input.rules, `${path}.rules`),
  };
}

function rulesOf(input: StageEntryInput['rules'], field: string): { rules?: EntryRule[] } {
  const rules = validateRules(input, field);
  return rules.length === 0 ? {} : { rules };
}

function exitCodesOf(
  codes: ReadonlyArray<number> | null | undefined,
  field: string,
): { allowFailureExitCodes?: number[] } {
  const valid = validateExitCodes(codes, field);
  return valid.length === 0 ? {} : { allowFailureExitCodes: valid };
}

function concurrencyOf(value: PipelineInput['concurrency'], field: string): Concurrency | null {
  if (value === undefined || value === null) return null;
  return {
    group: requireName(value.group, 'concurrency group', `${field}.group`),
    cancelOlder: value.cancelOlder ?? false,
  };
}

/** `input.stages[1].entries[0]` → `stages[1].entries[0]` for messages. */
function relative(fieldPath: string, root: string): string {
  return fieldPath.startsWith(`${root}.`) ? fieldPath.slice(root.length + 1) : fieldPath;
}
