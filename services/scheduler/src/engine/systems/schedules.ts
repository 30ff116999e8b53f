import type { Logger } from '@fluxi/common';
import { decideOverlap, planDueFires, targetOccurrenceKey } from '@fluxi/schedules';
import { errorSummary } from '../../domain/error-summary.js';
import { fireRecord, skippedRecords, type FireRecord, type TargetOutcome } from '../../domain/fire-records.js';
import type { BookEntry, ScheduleBook } from '../../domain/schedule-book.js';
import type { ScheduleSpec, ScheduleTarget } from '../../domain/schedule-spec.js';

/** The one trigger, as a fire calls it (the occurrence key of the target as idempotency key). */
export interface ScheduleTriggerPort {
  trigger(
    target: ScheduleTarget,
    fire: { key: string; scheduleId: string; scheduleName: string; planned: Date },
  ): Promise<{ runId: string; number: number; created: boolean }>;
}

/** A fire of a target waiting for the previous run of that target to end (overlap: queue). */
export interface QueuedFire {
  scheduleId: string;
  target: ScheduleTarget;
  planned: Date;
}

/** The history of fires and the overlap bookkeeping (store/schedule-history.ts). */
export interface ScheduleHistoryPort {
  /** The latest planned time recorded per schedule (fired or skipped). */
  handledThrough(ids: string[]): Promise<Map<string, Date>>;
  /** Writes records; one already there for the same schedule and planned time is kept. */
  record(records: FireRecord[]): Promise<void>;
  /** Whether a run this schedule started for this target has not ended. */
  openRun(scheduleId: string, targetId: string): Promise<boolean>;
  queuedCount(scheduleId: string, targetId: string): Promise<number>;
  queue(fire: QueuedFire, at: Date): Promise<void>;
  /** Queued fires whose target has no open run of the schedule any more. */
  queuedReady(): Promise<QueuedFire[]>;
  /** Removes a queued fire and adds what it got to its planned time's record. */
  dequeued(fire: QueuedFire, outcome: TargetOutcome, at: Date): Promise<void>;
}

export interface ScheduleFireOptions {
  /** A planned time at most this old is on time: it fires whatever the missed-fire policy. */
  graceMs: number;
  /** missedFires all: at most this many missed times fire. */
  maxCatchUp: number;
  /** Schedules fired at once in one pass. */
  concurrency: number;
}

/**
 * Fires the due schedules of the book, once per pass: planned times from the missed-fire plan
 * (@fluxi/schedules planDueFires), each target through the one trigger with its occurrence key
 * (so a second leader, or a pass repeated after a crash, gets the same run back), the overlap
 * policy per target, the history written once per pass, and every fire, skip and error logged.
 */
export class ScheduleFireSystem {
  constructor(
    private readonly book: ScheduleBook,
    private readonly trigger: ScheduleTriggerPort,
    private readonly history: ScheduleHistoryPort,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly options: ScheduleFireOptions,
  ) {}

  /** One pass: cursors read where unknown, queued fires released, due schedules fired. */
  async pass(): Promise<{ fired: number; skipped: number }> {
    const unknown = this.book.unknownCursors();
    if (unknown.length > 0) {
      const handled = await this.history.handledThrough(unknown);
      for (const id of unknown) this.book.setCursor(id, handled.get(id) ?? null);
    }
    // Queued fires whose previous run ended start before the new fires of this pass (first come, first started).
    await this.releaseQueued();
    const now = this.now();
    const due = this.book.due(now);
    const records: FireRecord[] = [];
    const started = new Set<string>();
    await eachLimited(due, this.options.concurrency, (entry) => this.fireEntry(entry, now, records, started));
    try {
      if (records.length > 0) await this.history.record(records);
    } catch (error) {
      // Read the cursors again: the next pass fires those times again (the same runs come back).
      this.book.forgetCursors();
      throw error;
    }
    return {
      fired: records.filter((r) => r.status === 'FIRED').length,
      skipped: records.filter((r) => r.status === 'SKIPPED').length,
    };
  }

  private async fireEntry(entry: BookEntry, now: Date, records: FireRecord[], started: Set<string>): Promise<void> {
    const { spec } = entry;
    const plan = planDueFires({
      schedule: spec.rule,
      after: entry.after ?? spec.activeSince,
      now,
      policy: spec.missedFires,
      graceMs: this.options.graceMs,
      maxCatchUp: this.options.maxCatchUp,
    });
    for (const skipped of skippedRecords(spec.id, plan)) {
      records.push(skipped);
      this.logger.info(
        { scheduleId: spec.id, schedule: spec.name, planned: skipped.planned.toISOString(), reason: skipped.reason },
        'schedule fire skipped',
      );
    }
    for (const planned of plan.fire) {
      const firedAt = this.now();
      const outcomes = await Promise.all(spec.targets.map((target) => this.fireTarget(spec, target, planned, started)));
      const record = fireRecord(spec.id, planned, firedAt, outcomes);
      records.push(record);
      this.log(spec, record);
    }
    if (plan.handledThrough !== null) this.book.setCursor(spec.id, plan.handledThrough);
  }

  private async fireTarget(
    spec: ScheduleSpec,
    target: ScheduleTarget,
    planned: Date,
    started: Set<string>,
  ): Promise<TargetOutcome> {
    const startedKey = `${spec.id} ${target.id}`;
    try {
      if (spec.overlap !== 'allow') {
        const running = started.has(startedKey) || (await this.history.openRun(spec.id, target.id));
        const queued = spec.overlap === 'queue' ? await this.history.queuedCount(spec.id, target.id) : 0;
        // A waiting fire goes first: a new one waits behind it (or is skipped), never overtakes it.
        const decision = decideOverlap({ policy: spec.overlap, previousRunning: running || queued > 0, queued });
        if (decision.action === 'skip') return { target, skipped: decision.reason };
        if (decision.action === 'queue') {
          await this.history.queue({ scheduleId: spec.id, target, planned }, this.now());
          return { target, queued: true };
        }
      }
      const key = targetOccurrenceKey(spec.id, planned, target.id);
      const run = await this.trigger.trigger(target, { key, scheduleId: spec.id, scheduleName: spec.name, planned });
      started.add(startedKey);
      return { target, started: run };
    } catch (error) {
      const summary = errorSummary(error);
      return { target, error: `${target.kind} ${target.id}: ${summary.message ?? summary.type}` };
    }
  }

  /** Starts the queued fires whose previous run ended (the run of their own planned time). */
  private async releaseQueued(): Promise<void> {
    for (const fire of await this.history.queuedReady()) {
      const spec = this.book.get(fire.scheduleId)?.spec;
      if (spec === undefined) {
        await this.history.dequeued(
          fire,
          { target: fire.target, skipped: 'the schedule was deleted or disabled' },
          this.now(),
        );
        continue;
      }
      const outcome = await this.fireTarget({ ...spec, overlap: 'allow' }, fire.target, fire.planned, new Set());
      await this.history.dequeued(fire, outcome, this.now());
      this.log(spec, fireRecord(spec.id, fire.planned, this.now(), [outcome]), 'queued fire started');
    }
  }

  private log(spec: ScheduleSpec, record: FireRecord, message?: string): void {
    const runs = record.outcomes.flatMap((o) =>
      'started' in o
        ? [{ [o.target.kind]: o.target.id, pipelineRunId: o.started.runId, created: o.started.created }]
        : [],
    );
    const fields = {
      scheduleId: spec.id,
      schedule: spec.name,
      planned: record.planned.toISOString(),
      lateMs: record.firedAt === null ? null : record.firedAt.getTime() - record.planned.getTime(),
      status: record.status,
      runs,
      ...(record.reason === null ? {} : { reason: record.reason }),
    };
    const text =
      message ??
      {
        FIRED: 'schedule fired',
        QUEUED: 'schedule fire queued',
        SKIPPED: 'schedule fire skipped',
        FAILED: 'schedule fire failed',
      }[record.status];
    if (record.status === 'FAILED') this.logger.error(fields, text);
    else if (record.reason !== null && record.status === 'FIRED') this.logger.warn(fields, `${text}, with errors`);
    else this.logger.info(fields, text);
  }
}

/** Runs `work` on each item, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
