import type { FluxiConfig, Logger } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import type { Nats } from '@fluxi/messaging';
import { ScheduleBook } from './domain/schedule-book.js';
import { startLoop } from './engine/loop.js';
import type { TriggerSystem } from './engine/systems/trigger.js';
import { startScheduleLoop } from './engine/systems/schedule-loop.js';
import { ScheduleFireSystem, type ScheduleHistoryPort, type ScheduleTriggerPort } from './engine/systems/schedules.js';
import type { FireRecord } from './domain/fire-records.js';
import { errorSummary } from './domain/error-summary.js';
import { ScheduleHistoryStore } from './store/schedule-history.js';
import { LeaderLease } from './transport/nats/leader-lease.js';
import { followSchedules } from './transport/nats/schedule-watch.js';

/** A fire goes through the one trigger, in process: source schedule, the occurrence key, the planned time. */
export function scheduleTrigger(
  trigger: Pick<TriggerSystem, 'trigger'>,
  onFire?: (lagMs: number) => void,
): ScheduleTriggerPort {
  return {
    async trigger(target, fire) {
      // The fire lag metric: from the occurrence's planned time to this trigger.
      onFire?.(Math.max(0, Date.now() - fire.planned.getTime()));
      const scope = target.kind === 'pipeline' ? { pipelineId: target.id } : { jobId: target.id };
      const run = await trigger.trigger(scope, {
        trigger: 'schedule',
        triggeredBy: null,
        triggeredByName: fire.scheduleName,
        idempotencyKey: fire.key,
        provenance: { scheduleId: fire.scheduleId, plannedAt: fire.planned.toISOString() },
      });
      return { runId: run.id, number: run.number, created: run.created };
    },
  };
}

export interface ScheduleFiring {
  readonly history: ScheduleHistoryStore;
  /** Whether this scheduler holds the schedule lease now. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * Schedules: the definitions followed from NATS KV into a book, the leader lease, the fire loop
 * (only the leader fires) and the history retention. With `scheduler.schedules.enabled` false only
 * the history is served.
 */
export async function startScheduleFiring(deps: {
  nats: Nats;
  db: Database;
  trigger: Pick<TriggerSystem, 'trigger'>;
  config: FluxiConfig;
  logger: Logger;
  /** Each fire's lag (planned time → trigger), for the fire lag metric. */
  onFire?: (lagMs: number) => void;
  /** Fire records once written (notifications of fires that failed), with the schedules' names. */
  onRecorded?: (records: readonly FireRecord[], nameOf: (scheduleId: string) => string | undefined) => void;
}): Promise<ScheduleFiring> {
  const options = deps.config.scheduler.schedules;
  const logger = deps.logger.child({ component: 'schedules' });
  const history = new ScheduleHistoryStore(deps.db);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (let stop = stops.pop(); stop !== undefined; stop = stops.pop()) await stop();
  };
  // Fires and runs go with run retention: an hour's pass deletes what is older than runRetentionDays.
  const pruning = startLoop(
    deps.config.scheduler.retentionIntervalSec * 1000,
    async () => {
      const days = deps.config.scheduler.runRetentionDays;
      const deleted = await history.prune(new Date(Date.now() - days * 86_400_000));
      if (deleted > 0) logger.info({ deleted, days }, 'schedule history pruned');
    },
    (error) => logger.warn({ err: errorSummary(error) }, 'schedule history pruning failed'),
  );
  stops.push(() => pruning.stop());
  if (!options.enabled) {
    logger.info('schedules are not fired by this scheduler (scheduler.schedules.enabled: false)');
    return { history, isLeader: () => false, stop: stopAll };
  }
  try {
    const book = new ScheduleBook();
    const system = new ScheduleFireSystem(
      book,
      scheduleTrigger(deps.trigger, deps.onFire),
      recordHook(history, (records) => deps.onRecorded?.(records, (id) => book.get(id)?.spec.name)),
      logger,
      () => new Date(),
      {
        graceMs: options.graceSec * 1000,
        maxCatchUp: options.maxCatchUp,
        concurrency: options.concurrency,
      },
    );
    let wake = (): void => {};
    const lease = await LeaderLease.start(deps.nats, {
      ttlMs: options.leaseTtlMs,
      logger,
      // Another leader may have fired meanwhile: go on from the history.
      onGained: () => {
        book.forgetCursors();
        wake();
      },
    });
    stops.push(() => lease.stop());
    const loop = startScheduleLoop(system, book, () => lease.isLeader(), {
      intervalMs: options.loopIntervalMs,
      logger,
    });
    stops.push(() => loop.stop());
    wake = () => loop.wake();
    const watch = await followSchedules(deps.nats, book, logger, () => loop.wake());
    stops.push(() => watch.stop());
    return { history, isLeader: () => lease.isLeader(), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The history port, telling `recorded` of the records it wrote. */
function recordHook(history: ScheduleHistoryPort, recorded: (records: FireRecord[]) => void): ScheduleHistoryPort {
  return {
    handledThrough: (ids) => history.handledThrough(ids),
    record: async (records) => {
      await history.record(records);
      recorded(records);
    },
    openRun: (scheduleId, targetId) => history.openRun(scheduleId, targetId),
    queuedCount: (scheduleId, targetId) => history.queuedCount(scheduleId, targetId),
    queue: (fire, at) => history.queue(fire, at),
    queuedReady: () => history.queuedReady(),
    dequeued: (fire, outcome, at) => history.dequeued(fire, outcome, at),
  };
}
