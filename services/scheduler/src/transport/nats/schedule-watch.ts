import type { Logger } from '@fluxi/common';
import { MissedFirePolicy, OverlapPolicy, type ScheduleDefinition } from '@fluxi/contracts';
import { watchSchedules, type Nats, type ScheduleWatch } from '@fluxi/messaging';
import { errorSummary } from '../../domain/error-summary.js';
import type { ScheduleBook } from '../../domain/schedule-book.js';
import { scheduleSpec, type ScheduleSpec, type ScheduleTarget } from '../../domain/schedule-spec.js';

const OVERLAP = {
  [OverlapPolicy.UNSPECIFIED]: 'UNSPECIFIED',
  [OverlapPolicy.ALLOW]: 'ALLOW',
  [OverlapPolicy.SKIP]: 'SKIP',
  [OverlapPolicy.QUEUE]: 'QUEUE',
} as const;
const MISSED = {
  [MissedFirePolicy.UNSPECIFIED]: 'UNSPECIFIED',
  [MissedFirePolicy.SKIP]: 'SKIP',
  [MissedFirePolicy.RUN_ONCE]: 'RUN_ONCE',
  [MissedFirePolicy.ALL]: 'ALL',
} as const;

/** The scheduler's reading of a definition the catalog wrote. */
export function specOf(definition: ScheduleDefinition): ScheduleSpec {
  return scheduleSpec({
    id: definition.id,
    name: definition.name,
    cron: definition.cron,
    atMs: Number(definition.atMs),
    timezone: definition.timezone,
    targets: definition.targets.flatMap((t): ScheduleTarget[] => {
      if (t.target.case === 'pipelineId') return [{ kind: 'pipeline', id: t.target.value }];
      if (t.target.case === 'jobId') return [{ kind: 'job', id: t.target.value }];
      return [];
    }),
    overlap: OVERLAP[definition.overlap] ?? 'UNSPECIFIED',
    missedFires: MISSED[definition.missedFires] ?? 'UNSPECIFIED',
    activeSinceMs: Number(definition.activeSinceMs),
  });
}

/**
 * Keeps the book equal to the KV bucket `fluxi-schedules` (what is there at start, then each
 * change); `changed` runs after each change (the loop looks again).
 */
export async function followSchedules(
  nats: Nats,
  book: ScheduleBook,
  logger: Logger,
  changed: () => void,
): Promise<ScheduleWatch> {
  return watchSchedules(
    nats,
    (id, definition) => {
      if (definition === undefined) {
        if (book.get(id) !== undefined) logger.info({ scheduleId: id }, 'schedule removed (deleted or disabled)');
        book.remove(id);
      } else {
        try {
          const known = book.get(id) !== undefined;
          book.put(specOf(definition));
          logger.debug({ scheduleId: id, schedule: definition.name, known }, 'schedule definition read');
        } catch (error) {
          book.remove(id);
          logger.error({ scheduleId: id, err: errorSummary(error) }, 'schedule definition cannot be fired: ignored');
        }
      }
      changed();
    },
    logger,
  );
}
