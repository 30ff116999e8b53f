import { badInput } from '@fluxi/common';
import { parseSchedule, type Schedule as ScheduleRule } from '@fluxi/schedules';
import { requireName } from './names.js';

/** One thing a schedule starts: a pipeline or a single job (exactly one id is set). */
export interface ScheduleTarget {
  pipelineId: string | null;
  jobId: string | null;
}

/** What a fire does while the run it started earlier for the same target still runs. */
export const OVERLAP_POLICIES = ['ALLOW', 'SKIP', 'QUEUE'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];
/** What happens to planned times that passed while no scheduler fired them. */
export const MISSED_FIRE_POLICIES = ['SKIP', 'RUN_ONCE', 'ALL'] as const;
export type MissedFirePolicy = (typeof MISSED_FIRE_POLICIES)[number];

export const DEFAULT_OVERLAP: OverlapPolicy = 'ALLOW';
export const DEFAULT_MISSED_FIRES: MissedFirePolicy = 'RUN_ONCE';
/** Most targets of one schedule. */
export const MAX_TARGETS = 16;

/** A stored schedule: a cron expression or one instant, in a time zone, starting its targets together. */
export interface ScheduleDefinition {
  name: string;
  /** Started together, in parallel, at each fire; at least one. */
  targets: ScheduleTarget[];
  /** Cron expression as @fluxi/schedules validated it; null when `at` is set. */
  cron: string | null;
  /** One instant; null when `cron` is set. */
  at: Date | null;
  /** IANA time zone the expression (or a local `at`) is read in. */
  timezone: string;
  enabled: boolean;
  overlap: OverlapPolicy;
  missedFires: MissedFirePolicy;
}

export interface Schedule extends ScheduleDefinition {
  id: string;
  /**
   * Planned times at or before this are not this definition's: when it was created, enabled again,
   * or its cron, at or timezone last changed.
   */
  activeSince: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleTargetInput {
  pipelineId?: string | null;
  jobId?: string | null;
}

export interface ScheduleInput {
  name?: string | null;
  /** Shorthand for `targets: [{ pipelineId }]`. */
  pipelineId?: string | null;
  targets?: ScheduleTargetInput[] | null;
  cron?: string | null;
  /** ISO 8601: with an offset it is that instant; without one it is read in `timezone`. */
  at?: string | null;
  timezone?: string | null;
  enabled?: boolean | null;
  overlap?: string | null;
  missedFires?: string | null;
}

export interface ValidateOptions {
  /** The clock (a one-shot must be after it). Default: the real time. */
  now?: Date;
  /** Accept a one-shot in the past (a stored one that already fired, a file applied again). */
  allowPast?: boolean;
}

/**
 * Validates a schedule with @fluxi/schedules (the scheduler reads it with the same rules); the
 * targets' existence is the store's business. Throws BAD_USER_INPUT with the field path of the
 * first fault.
 */
export function validateSchedule(
  input: ScheduleInput,
  path = 'input',
  options: ValidateOptions = {},
): ScheduleDefinition {
  const name = requireName(input.name, 'schedule name', `${path}.name`);
  const targets = validateTargets(input, path);
  const rule = parseSchedule(
    { cron: input.cron, at: input.at, timezone: input.timezone },
    { path, now: options.now, allowPast: options.allowPast },
  );
  return {
    name,
    targets,
    cron: rule.kind === 'cron' ? rule.cron : null,
    at: rule.kind === 'at' ? rule.at : null,
    timezone: rule.timezone,
    enabled: input.enabled ?? true,
    overlap: oneOf(input.overlap, OVERLAP_POLICIES, DEFAULT_OVERLAP, `${path}.overlap`),
    missedFires: oneOf(input.missedFires, MISSED_FIRE_POLICIES, DEFAULT_MISSED_FIRES, `${path}.missedFires`),
  };
}

/**
 * Applies a partial update (absent keeps, null resets to the default), then validates. `pipelineId`
 * or `targets` replaces the targets. A one-shot already stored may be in the past; a new `at` may not.
 */
export function applySchedulePatch(
  current: ScheduleDefinition,
  patch: ScheduleInput,
  path = 'input',
  now?: Date,
): ScheduleDefinition {
  const merged: ScheduleInput = { ...current, pipelineId: undefined, at: current.at?.toISOString() ?? null };
  for (const [key, value] of Object.entries(patch) as [keyof ScheduleInput, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  if (patch.pipelineId !== undefined && patch.pipelineId !== null && patch.targets === undefined) {
    merged.targets = undefined;
  }
  const atChanged = patch.at !== undefined && patch.at !== null && patch.at !== current.at?.toISOString();
  return validateSchedule(merged, path, { now, allowPast: !atChanged });
}

/** Whether a change moves when the schedule fires (its history starts again from now). */
export function timingChanged(before: ScheduleDefinition, after: ScheduleDefinition): boolean {
  return (
    before.cron !== after.cron ||
    before.at?.getTime() !== after.at?.getTime() ||
    before.timezone !== after.timezone ||
    (!before.enabled && after.enabled)
  );
}

/** The rule @fluxi/schedules reads from a stored definition. */
export function scheduleRule(schedule: ScheduleDefinition): ScheduleRule {
  return parseSchedule({ cron: schedule.cron, at: schedule.at, timezone: schedule.timezone }, { allowPast: true });
}

/** The field a target's id was given at: `input.pipelineId` for the shorthand. */
export function targetField(input: ScheduleInput, index: number, kind: 'pipelineId' | 'jobId', path = 'input'): string {
  return input.targets === undefined || input.targets === null
    ? `${path}.pipelineId`
    : `${path}.targets[${index}].${kind}`;
}

function validateTargets(input: ScheduleInput, path: string): ScheduleTarget[] {
  const hasShorthand = input.pipelineId !== undefined && input.pipelineId !== null;
  if (input.targets === undefined || input.targets === null) {
    if (!hasShorthand || input.pipelineId === '') {
      throw badInput('a schedule needs targets (pipelines or jobs) or a pipelineId', `${path}.pipelineId`);
    }
    return [{ pipelineId: input.pipelineId as string, jobId: null }];
  }
  if (hasShorthand) throw badInput('set either pipelineId or targets, not both', `${path}.pipelineId`);
  if (input.targets.length === 0 || input.targets.length > MAX_TARGETS) {
    throw badInput(`a schedule has 1 to ${MAX_TARGETS} targets`, `${path}.targets`);
  }
  const seen = new Set<string>();
  return input.targets.map((target, index) => {
    const field = `${path}.targets[${index}]`;
    const pipelineId = target.pipelineId ?? '';
    const jobId = target.jobId ?? '';
    if ((pipelineId === '') === (jobId === '')) {
      throw badInput(
        'a target is a pipelineId or a jobId, exactly one',
        `${field}.${pipelineId === '' ? 'pipelineId' : 'jobId'}`,
      );
    }
    const key = pipelineId === '' ? `job ${jobId}` : `pipeline ${pipelineId}`;
    if (seen.has(key))
      throw badInput(`${key} is a target twice`, `${field}.${pipelineId === '' ? 'jobId' : 'pipelineId'}`);
    seen.add(key);
    return pipelineId === '' ? { pipelineId: null, jobId } : { pipelineId, jobId: null };
  });
}

function oneOf<T extends string>(
  value: string | null | undefined,
  allowed: readonly T[],
  fallback: T,
  field: string,
): T {
  if (value === undefined || value === null) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badInput(`${field.split('.').pop() ?? field} must be one of ${allowed.join(', ')}`, field);
  }
  return value as T;
}
