import type { Logger } from '@fluxi/common';
import {
  create,
  MissedFirePolicy,
  OverlapPolicy,
  ScheduleDefinitionSchema,
  type ScheduleDefinition,
} from '@fluxi/contracts';
import type { ScheduleBucket } from '@fluxi/messaging';
import type { Schedule } from '../../domain/schedule.js';

/** Reads the stored schedules (ScheduleStore). */
export interface ScheduleSource {
  get(id: string): Promise<Schedule | undefined>;
  list(): Promise<Schedule[]>;
}

const OVERLAP = { ALLOW: OverlapPolicy.ALLOW, SKIP: OverlapPolicy.SKIP, QUEUE: OverlapPolicy.QUEUE } as const;
const MISSED = {
  SKIP: MissedFirePolicy.SKIP,
  RUN_ONCE: MissedFirePolicy.RUN_ONCE,
  ALL: MissedFirePolicy.ALL,
} as const;

/** The message the scheduler reads for a stored schedule. */
export function scheduleMessage(schedule: Schedule): ScheduleDefinition {
  return create(ScheduleDefinitionSchema, {
    id: schedule.id,
    name: schedule.name,
    cron: schedule.cron ?? '',
    atMs: BigInt(schedule.at?.getTime() ?? 0),
    timezone: schedule.timezone,
    targets: schedule.targets.map((target) => ({
      target:
        target.pipelineId !== null
          ? { case: 'pipelineId' as const, value: target.pipelineId }
          : { case: 'jobId' as const, value: target.jobId ?? '' },
    })),
    overlap: OVERLAP[schedule.overlap],
    missedFires: MISSED[schedule.missedFires],
    activeSinceMs: BigInt(schedule.activeSince.getTime()),
  });
}

/**
 * Keeps the KV bucket `fluxi-schedules` equal to the enabled schedules: after each change (after its
 * commit), every one at start (a change committed while NATS was away, or before a crash), and the
 * ones whose write failed every `retryMs` until it succeeds.
 */
export class SchedulePublisher {
  private readonly failed = new Set<string>();
  private fullSyncDue = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bucket: ScheduleBucket,
    private readonly schedules: ScheduleSource,
    private readonly logger: Logger,
  ) {}

  /** Puts (enabled) or deletes (disabled, deleted) one schedule; a failure is retried later, not thrown. */
  async changed(id: string): Promise<void> {
    try {
      const schedule = await this.schedules.get(id);
      if (schedule === undefined || !schedule.enabled) await this.bucket.delete(id);
      else await this.bucket.put(scheduleMessage(schedule));
      this.failed.delete(id);
    } catch (error) {
      this.failed.add(id);
      this.logger.warn({ err: error, scheduleId: id }, 'schedule not yet written for the schedulers: retried');
    }
  }

  /** Writes every schedule and removes the keys of those that are gone or disabled; retried later on failure. */
  async syncAll(): Promise<void> {
    try {
      await this.writeAll();
      this.fullSyncDue = false;
    } catch (error) {
      this.fullSyncDue = true;
      this.logger.warn({ err: error }, 'schedules not yet written for the schedulers: retried');
    }
  }

  private async writeAll(): Promise<void> {
    const schedules = await this.schedules.list();
    const enabled = new Set(schedules.filter((s) => s.enabled).map((s) => s.id));
    for (const schedule of schedules) {
      if (schedule.enabled) await this.bucket.put(scheduleMessage(schedule));
    }
    for (const id of await this.bucket.ids()) if (!enabled.has(id)) await this.bucket.delete(id);
    this.failed.clear();
    this.logger.info({ schedules: enabled.size }, 'schedules written for the schedulers');
  }

  /** Retries failed writes every `retryMs` until stopped. */
  start(retryMs: number): { stop(): void } {
    const tick = async (): Promise<void> => {
      if (this.fullSyncDue) await this.syncAll();
      for (const id of [...this.failed]) await this.changed(id);
    };
    this.timer = setInterval(() => void tick(), retryMs);
    this.timer.unref();
    return { stop: () => clearInterval(this.timer) };
  }
}
