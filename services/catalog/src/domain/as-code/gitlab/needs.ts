import { badInput } from '@fluxi/common';
import type { GitlabJob } from './read.js';
import { isRecord, scalarText, type Raw } from './values.js';

/** In `known`: the file includes others, so a job missing from it may be theirs. */
export const INCLUDED = '\u0000include';

/** What the pipeline knows of a placed GitLab job: its entries and stage position. */
export interface NeedTarget {
  entries: readonly string[];
  stageIndex: number;
}

/** How a converted entry waits and which artifacts it takes. */
export interface EntryWaits {
  needs: string[];
  /** Entries whose artifacts it takes; undefined: all it waits for. */
  artifactsFrom?: string[];
  startAtOnce?: true;
}

/**
 * GitLab `needs` and `dependencies` as Fluxi waits: `needs: []` starts at once and takes
 * nothing; `{ job, artifacts: false }` waits without taking artifacts; `dependencies`
 * chooses the artifacts of stage-ordered jobs. Names GitLab refuses are refused here with
 * its reason; needs on other projects or pipelines, and `optional` ones on absent jobs,
 * are dropped and reported.
 */
export function waitsOf(
  gitlab: GitlabJob,
  stageIndex: number,
  targets: ReadonlyMap<string, NeedTarget>,
  known: ReadonlySet<string>,
  notMapped: string[],
): EntryWaits {
  const name = gitlab.name;
  const raw = gitlab.config['needs'];
  const dependencies = dependenciesOf(gitlab, stageIndex, targets, known, notMapped);
  if (raw === undefined || raw === null) return dependencies === undefined ? { needs: [] } : dependencies;
  // `needs: build` is a list of one; lists built with !reference are flattened, as GitLab does.
  const list = Array.isArray(raw) ? raw.flat(10) : [raw];
  if (list.length === 0) {
    if (dependencies !== undefined && (dependencies.artifactsFrom?.length ?? 0) > 0)
      notMapped.push(`${name}.dependencies: with needs: [] there is nothing to take artifacts from, ignored`);
    return { needs: [], startAtOnce: true };
  }
  const needs: string[] = [];
  const artifacts: string[] = [];
  list.forEach((need: unknown, index) => {
    const placed = needTarget(name, need, `${name}.needs[${index}]`, stageIndex, targets, known, notMapped);
    if (placed === undefined) return;
    const takes = !isRecord(need) || need['artifacts'] !== false;
    for (const entry of placed.entries) {
      if (!needs.includes(entry)) needs.push(entry);
      if (takes && !artifacts.includes(entry)) artifacts.push(entry);
    }
  });
  if (dependencies !== undefined)
    notMapped.push(`${name}.dependencies: with needs, needs choose the artifacts (artifacts: false), ignored`);
  return artifacts.length === needs.length ? { needs } : { needs, artifactsFrom: artifacts };
}

/** The placed job one `needs` item names; undefined when it is dropped (and reported). */
function needTarget(
  name: string,
  need: unknown,
  field: string,
  stageIndex: number,
  targets: ReadonlyMap<string, NeedTarget>,
  known: ReadonlySet<string>,
  notMapped: string[],
): NeedTarget | undefined {
  if (need === null || need === undefined) throw refused(field, `${name}: a needs entry is empty (~)`);
  if (isRecord(need) && (need['project'] !== undefined || need['pipeline'] !== undefined)) {
    notMapped.push(`${name}.needs: ${JSON.stringify(need as Raw)} is in another pipeline or project, dropped`);
    return undefined;
  }
  const target = typeof need === 'string' ? need : isRecord(need) ? scalarText(need['job']) : undefined;
  if (target === undefined) throw refused(field, `${name}: needs entry ${JSON.stringify(need)} names no job`);
  const placed = targets.get(target);
  if (placed === undefined) {
    const optional = isRecord(need) && need['optional'] === true;
    if (optional || known.has(target) || known.has(INCLUDED)) {
      const why = optional
        ? 'is optional and not in the pipeline'
        : known.has(target)
          ? 'has no script, it is not in the pipeline'
          : 'is not in this file (include is not followed)';
      notMapped.push(`${name}.needs: ${target} ${why}, dropped`);
      return undefined;
    }
    throw refused(field, `'${name}' job needs '${target}' job, but '${target}' does not exist in the pipeline`);
  }
  if (placed.stageIndex > stageIndex) {
    throw refused(field, `'${name}' job needs '${target}' job, but '${target}' is not in any previous stage`);
  }
  if (isRecord(need) && need['parallel'] !== undefined)
    notMapped.push(`${name}.needs: ${target} parallel selection not mapped: needs every run of it`);
  return placed;
}

/** `dependencies: [names]` of a job without needs: the artifacts it takes from earlier stages. */
function dependenciesOf(
  gitlab: GitlabJob,
  stageIndex: number,
  targets: ReadonlyMap<string, NeedTarget>,
  known: ReadonlySet<string>,
  notMapped: string[],
): EntryWaits | undefined {
  const raw = gitlab.config['dependencies'];
  if (raw === undefined || raw === null) return undefined;
  const list = Array.isArray(raw) ? raw.flat(10) : [raw];
  const artifactsFrom: string[] = [];
  list.forEach((dependency: unknown, index) => {
    const target = scalarText(dependency);
    const field = `${gitlab.name}.dependencies[${index}]`;
    if (target === undefined) throw refused(field, `${gitlab.name}: a dependencies entry is not a job name`);
    const placed = targets.get(target);
    if (placed === undefined && !known.has(target) && !known.has(INCLUDED))
      throw refused(field, `${gitlab.name} dependencies: undefined dependency: ${target}`);
    if (placed === undefined) {
      notMapped.push(`${gitlab.name}.dependencies: ${target} is not in the pipeline, dropped`);
      return;
    }
    if (placed.stageIndex >= stageIndex)
      throw refused(field, `${gitlab.name} dependencies: ${target} is not defined in current or prior stages`);
    for (const entry of placed.entries) if (!artifactsFrom.includes(entry)) artifactsFrom.push(entry);
  });
  return { needs: [], artifactsFrom };
}

function refused(field: string, reason: string): Error {
  return badInput(`${reason} (GitLab refuses this file)`, field);
}
