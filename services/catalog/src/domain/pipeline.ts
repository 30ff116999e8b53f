import { badInput } from '@fluxi/common';
import { findCycle } from './dag.js';
import { quote, requireName } from './names.js';

export interface StageEntryDefinition {
  /** Unique within the pipeline; the job's name unless the entry names itself. */
  name: string;
  jobId: string;
  /** Names of entries (of this or an earlier stage) that must finish first. */
  needs: string[];
}

export interface StageDefinition {
  name: string;
  entries: StageEntryDefinition[];
}

export interface PipelineDefinition {
  name: string;
  description: string | null;
  stages: StageDefinition[];
}

export interface Pipeline extends PipelineDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Pipeline input as a client sends it. */
export interface PipelineInput {
  name?: string | null;
  description?: string | null;
  stages?: ReadonlyArray<StageInput> | null;
}
export interface StageInput {
  name?: string | null;
  entries?: ReadonlyArray<StageEntryInput> | null;
}
export interface StageEntryInput {
  jobId?: string | null;
  name?: string | null;
  needs?: ReadonlyArray<string> | null;
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

interface Located {
  entry: StageEntryDefinition;
  stage: number;
  path: string;
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
  const stagesInput = input.stages ?? [];
  if (stagesInput.length === 0) throw badInput('a pipeline needs at least one stage', `${path}.stages`);

  const entries = new Map<string, Located>();
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
      entries: entryInputs.map((entry, e) => {
        const entryPath = `${stagePath}.entries[${e}]`;
        const located = { entry: stageEntry(entry, jobNames, entryPath), stage: s, path: entryPath };
        const previous = entries.get(located.entry.name);
        if (previous !== undefined) {
          throw badInput(
            `entry name ${quote(located.entry.name)} is used twice (${relative(previous.path, path)} and ${relative(entryPath, path)}); ` +
              'give one of them a distinct name',
            `${entryPath}.name`,
          );
        }
        entries.set(located.entry.name, located);
        return located.entry;
      }),
    };
  });

  checkNeeds(entries, stages);
  return { name, description, stages };
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
  return { name, jobId, needs };
}

/** Unknown needs, self needs, needs on later stages, then cycles. */
function checkNeeds(entries: ReadonlyMap<string, Located>, stages: readonly StageDefinition[]): void {
  for (const { entry, stage, path } of entries.values()) {
    entry.needs.forEach((need, n) => {
      const field = `${path}.needs[${n}]`;
      const target = entries.get(need);
      if (need === entry.name) throw badInput(`entry ${quote(entry.name)} cannot need itself`, field);
      if (target === undefined) {
        throw badInput(
          `entry ${quote(entry.name)} needs ${quote(need)}, which is not an entry of this pipeline`,
          field,
        );
      }
      if (target.stage > stage) {
        throw badInput(
          `entry ${quote(entry.name)} (stage ${quote(stages[stage]?.name)}) needs ${quote(need)} of the later stage ` +
            `${quote(stages[target.stage]?.name)}; an entry can only need entries of its own or an earlier stage`,
          field,
        );
      }
    });
  }
  const names = [...entries.keys()];
  const cycle = findCycle(names, new Map(names.map((name) => [name, entries.get(name)?.entry.needs ?? []])));
  if (cycle !== undefined) {
    const [from, to] = cycle as [string, string];
    const located = entries.get(from) as Located;
    throw badInput(
      `needs form a cycle: ${cycle.map((name) => quote(name)).join(' → ')}`,
      `${located.path}.needs[${located.entry.needs.indexOf(to)}]`,
    );
  }
}

/** `input.stages[1].entries[0]` → `stages[1].entries[0]` for messages. */
function relative(fieldPath: string, root: string): string {
  return fieldPath.startsWith(`${root}.`) ? fieldPath.slice(root.length + 1) : fieldPath;
}
