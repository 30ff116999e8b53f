import { Injectable } from '@nestjs/common';
import type { StopRequest } from '../domain/outcome.js';
import { RecentCancels } from '../domain/recent-cancels.js';
import { StopController } from './stop-controller.js';

/** An attempt this executor runs, and the switch that stops it. */
export interface ActiveAttempt {
  jobRunId: string;
  attempt: number;
  stop: StopController;
  /** When it was taken from the queue (epoch ms). */
  sinceMs: number;
}

/** Said when a cancel comes without a reason. */
export const DEFAULT_CANCEL_REASON = 'cancelled';

/**
 * The attempts running in this executor, shared by the queue worker (which adds
 * them and stops them all at shutdown) and the cancel listener (which stops one).
 * Cancels are remembered for a while, so an attempt taken from the queue after
 * its cancel starts already stopped.
 */
@Injectable()
export class ActiveAttempts {
  private readonly running = new Map<string, ActiveAttempt>();
  private readonly recentCancels = new RecentCancels();

  /** Registers an attempt under `key` (its BullMQ job id); it starts stopped when it was cancelled lately. */
  begin(key: string, jobRunId: string, attempt: number): ActiveAttempt {
    const active: ActiveAttempt = { jobRunId, attempt, stop: new StopController(), sinceMs: Date.now() };
    const reason = this.recentCancels.match(jobRunId, attempt);
    if (reason !== undefined) active.stop.stop({ kind: 'cancelled', reason });
    this.running.set(key, active);
    return active;
  }

  end(key: string): void {
    this.running.delete(key);
  }

  /** Cancels an attempt (0: any attempt) of a job run; returns how many running ones it stopped. */
  cancel(jobRunId: string, attempt: number, reason: string): number {
    const why = reason.trim() === '' ? DEFAULT_CANCEL_REASON : reason;
    this.recentCancels.remember(jobRunId, attempt, why);
    let stopped = 0;
    for (const active of this.running.values()) {
      if (active.jobRunId !== jobRunId || (attempt !== 0 && active.attempt !== attempt)) continue;
      if (active.stop.stop({ kind: 'cancelled', reason: why })) stopped += 1;
    }
    return stopped;
  }

  /** Stops every running attempt (shutdown past its grace period). */
  stopAll(request: StopRequest): void {
    for (const active of this.running.values()) active.stop.stop(request);
  }

  get size(): number {
    return this.running.size;
  }

  /** The attempts running now (the registry's heartbeat). */
  list(): { jobRunId: string; attempt: number; sinceMs: number }[] {
    return [...this.running.values()].map(({ jobRunId, attempt, sinceMs }) => ({ jobRunId, attempt, sinceMs }));
  }

  /** Job-run ids of the attempts running now. */
  jobRunIds(): string[] {
    return [...this.running.values()].map((active) => active.jobRunId);
  }
}
