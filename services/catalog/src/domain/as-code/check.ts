import { isFluxiError } from '@fluxi/common';
import { validateJob } from '../job.js';
import { quote } from '../names.js';
import { validatePipeline } from '../pipeline.js';
import { validateSchedule } from '../schedule.js';
import type { NamedDefinitions } from './definitions.js';
import {
  jobInput,
  jobLocation,
  pipelineInput,
  pipelineLocation,
  scheduleInput,
  scheduleLocation,
  type FileLocation,
} from './from-file.js';
import { parseDefinitions, problem } from './parse.js';
import { byPosition, parseFieldPath, type DefinitionProblem } from './problems.js';
import type { DefinitionsFile } from './schema.js';
import type { Locator } from './yaml-locate.js';

/** Names already in the catalog, which a file may refer to without defining them. */
export interface KnownNames {
  jobs: ReadonlySet<string>;
  pipelines: ReadonlySet<string>;
}

export interface CheckedDefinitions {
  definitions: NamedDefinitions;
  /** The first fault of each definition, in text order; empty when all are valid. */
  problems: DefinitionProblem[];
}

/**
 * Validates each definition of a structurally valid file with the domain validators
 * (the rules live there only) and maps their field paths back to the file.
 */
export function checkDefinitions(file: DefinitionsFile, locate: Locator, known: KnownNames): CheckedDefinitions {
  const definitions: NamedDefinitions = { jobs: new Map(), pipelines: new Map(), schedules: new Map() };
  const problems: DefinitionProblem[] = [];
  const attempt = (where: (field: string[]) => FileLocation, validate: () => void): void => {
    try {
      validate();
    } catch (error) {
      if (!isFluxiError(error) || error.code !== 'BAD_USER_INPUT') throw error;
      const location = where(parseFieldPath(error.field ?? 'input') as string[]);
      problems.push(problem(locate, location.path, error.message, location.at));
    }
  };

  const jobs = Object.entries(file.jobs ?? {});
  for (const [name, job] of jobs) {
    attempt(
      (field) => jobLocation(name, job, field),
      () => definitions.jobs.set(name, validateJob(jobInput(name, job), 'input', { unsetSecretEnv: true })),
    );
  }
  const jobNames = new Map([...known.jobs, ...jobs.map(([name]) => name)].map((name) => [name, name]));
  const pipelines = Object.entries(file.pipelines ?? {});
  for (const [name, pipeline] of pipelines) {
    attempt(
      (field) => pipelineLocation(name, pipeline, field),
      () => definitions.pipelines.set(name, validatePipeline(pipelineInput(name, pipeline), jobNames)),
    );
  }
  const pipelineNames = new Set([...known.pipelines, ...pipelines.map(([name]) => name)]);
  for (const [name, schedule] of Object.entries(file.schedules ?? {})) {
    attempt(
      (field) => scheduleLocation(name, field),
      () => {
        // A one-shot that already fired stays in an exported file: applying it again is no error.
        const definition = validateSchedule(scheduleInput(name, schedule), 'input', { allowPast: true });
        for (const [index, target] of definition.targets.entries()) {
          const [kind, names, targetName] =
            target.pipelineId !== null
              ? (['pipeline', pipelineNames, target.pipelineId] as const)
              : (['job', jobNames, target.jobId ?? ''] as const);
          if (names.has(targetName)) continue;
          const at = schedule.targets === undefined ? ['pipeline'] : ['targets', index, kind];
          const message = `${kind} ${quote(targetName)} is neither in the file nor in the catalog`;
          problems.push(problem(locate, ['schedules', name, ...at], message));
          return;
        }
        definitions.schedules.set(name, definition);
      },
    );
  }
  return { definitions, problems: byPosition(problems) };
}

export type ReadDefinitions =
  { ok: true; definitions: NamedDefinitions } | { ok: false; problems: DefinitionProblem[] };

/** Parses, checks the structure (all problems), then each definition (first problem of each). */
export function readDefinitions(text: string, known: KnownNames): ReadDefinitions {
  const parsed = parseDefinitions(text);
  if (parsed.file === undefined) return { ok: false, problems: parsed.problems };
  const checked = checkDefinitions(parsed.file, parsed.locate, known);
  return checked.problems.length > 0
    ? { ok: false, problems: checked.problems }
    : { ok: true, definitions: checked.definitions };
}
