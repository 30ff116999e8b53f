import { errorSummary } from '../../domain/error-summary.js';
import type { RetentionStore } from '../../store/retention.js';
import { startLoop } from '../loop.js';
import type { EngineResources } from '../resources.js';

/** Where the artifacts of job runs live (implemented by the artifact store's folders). */
export interface ArtifactFolders {
  remove(jobRunId: string): Promise<void>;
}

export interface RetentionOptions {
  /** Days an ended run is kept when its pipeline sets none (config scheduler.runRetentionDays). */
  readonly defaultRunDays: number;
  /** Runs deleted per transaction. */
  readonly batchSize: number;
  /** How long a published run event stays in the outbox table. */
  readonly keepSentEventsMs: number;
}

export interface RetentionPass {
  readonly runs: number;
  readonly jobRuns: number;
  readonly prunedEvents: number;
}

/**
 * Run history retention: deletes ended runs past their policy in batches (one
 * transaction each), then their artifact folders, and prunes published run events from
 * the outbox. Each batch is logged: counts, the range of run ids and end times; never
 * outputs or reasons. A run that has not ended is never deleted.
 */
export class RetentionSystem {
  constructor(
    private readonly resources: Pick<EngineResources, 'store' | 'logger' | 'now'>,
    private readonly retention: RetentionStore,
    private readonly artifacts: ArtifactFolders,
    private readonly options: RetentionOptions,
  ) {}

  async pass(): Promise<RetentionPass> {
    const { logger, now } = this.resources;
    let runs = 0;
    let jobRuns = 0;
    for (;;) {
      const deleted = await this.retention.deleteExpired(now(), this.options.defaultRunDays, this.options.batchSize);
      if (deleted.runIds.length === 0) break;
      runs += deleted.runIds.length;
      jobRuns += deleted.jobRunIds.length;
      let folderFailures = 0;
      for (const jobRunId of deleted.jobRunIds) {
        try {
          await this.artifacts.remove(jobRunId);
        } catch (error) {
          folderFailures += 1;
          logger.warn({ err: errorSummary(error), jobRunId }, 'could not remove the artifacts of a deleted job run');
        }
      }
      const sorted = [...deleted.runIds].sort();
      logger.info(
        {
          runs: deleted.runIds.length,
          firstRunId: sorted[0],
          lastRunId: sorted[sorted.length - 1],
          endedFrom: deleted.oldestEndedAt?.toISOString(),
          endedTo: deleted.newestEndedAt?.toISOString(),
          jobRuns: deleted.jobRunIds.length,
          attempts: deleted.attempts,
          artifactFiles: deleted.artifacts,
          contexts: deleted.contexts,
          deadLetters: deleted.deadLetters,
          runEvents: deleted.events,
          artifactFolderFailures: folderFailures,
        },
        'run retention: deleted ended runs past their retention',
      );
      if (deleted.runIds.length < this.options.batchSize) break;
    }
    const prunedEvents = await this.resources.store.outbox.pruneSent(
      new Date(now().getTime() - this.options.keepSentEventsMs),
    );
    if (prunedEvents > 0) logger.debug({ runEvents: prunedEvents }, 'published run events pruned from the outbox');
    return { runs, jobRuns, prunedEvents };
  }

  /** A pass now, then one every `intervalMs`, until stopped. */
  start(intervalMs: number): { stop(): Promise<void> } {
    return startLoop(
      intervalMs,
      () => this.pass(),
      (error) => this.resources.logger.warn({ err: errorSummary(error) }, 'run retention pass failed'),
      { immediately: true },
    );
  }
}
