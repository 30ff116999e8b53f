import {
  parseSchedule,
  type MissedFirePolicy as MissedPolicy,
  type OverlapPolicy as Overlap,
  type Schedule,
} from '@fluxi/schedules';

/** One thing a schedule starts. */
export interface ScheduleTarget {
  readonly kind: 'pipeline' | 'job';
  readonly id: string;
}

/** A schedule as the scheduler fires it (from the catalog's ScheduleDefinition). */
export interface ScheduleSpec {
  readonly id: string;
  readonly name: string;
  readonly rule: Schedule;
  readonly targets: readonly ScheduleTarget[];
  readonly overlap: Overlap;
  readonly missedFires: MissedPolicy;
  /** Planned times at or before this are not this definition's. */
  readonly activeSince: Date;
}

/** The wire shape read from the catalog, enums already as names. */
export interface ScheduleSpecInput {
  id: string;
  name: string;
  cron: string;
  atMs: number;
  timezone: string;
  targets: ScheduleTarget[];
  overlap: 'ALLOW' | 'SKIP' | 'QUEUE' | 'UNSPECIFIED';
  missedFires: 'SKIP' | 'RUN_ONCE' | 'ALL' | 'UNSPECIFIED';
  activeSinceMs: number;
}

const OVERLAP: Record<ScheduleSpecInput['overlap'], Overlap> = {
  ALLOW: 'allow',
  SKIP: 'skip',
  QUEUE: 'queue',
  UNSPECIFIED: 'allow',
};
const MISSED: Record<ScheduleSpecInput['missedFires'], MissedPolicy> = {
  SKIP: 'skip',
  RUN_ONCE: 'run-once',
  ALL: 'all',
  UNSPECIFIED: 'run-once',
};

/**
 * Reads a definition with the same rules the catalog validated it with (a one-shot may be past:
 * it is re-read). Throws when it cannot be fired (no targets, an expression this build refuses).
 */
export function scheduleSpec(input: ScheduleSpecInput): ScheduleSpec {
  if (input.targets.length === 0) throw new Error(`schedule ${input.id} has no targets`);
  const rule = parseSchedule(
    input.cron !== ''
      ? { cron: input.cron, timezone: input.timezone }
      : { at: new Date(input.atMs), timezone: input.timezone },
    { allowPast: true },
  );
  return {
    id: input.id,
    name: input.name,
    rule,
    targets: input.targets,
    overlap: OVERLAP[input.overlap],
    missedFires: MISSED[input.missedFires],
    activeSince: new Date(input.activeSinceMs),
  };
}

/** The id of a target as its key part names it. */
export function targetKey(target: ScheduleTarget): string {
  return target.id;
}
