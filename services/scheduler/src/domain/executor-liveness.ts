/**
 * Whether an executor still beats, as this scheduler sees its registry entry change.
 *
 * Each heartbeat gives the entry a new revision. The scheduler remembers, per executor,
 * the last revision it saw and when it first saw it, on its own clock: an executor whose
 * revision has not changed for longer than its lost-after period (two heartbeat
 * intervals) is silent. No clock of another machine is compared with this one, and
 * after the scheduler's own NATS connection was cut, it forgets what it saw (see
 * `ExecutorDirectory`) so that executors get a full period to beat again.
 */
export interface HeartbeatSighting {
  /** The registry revision of the last heartbeat seen. */
  readonly revision: number;
  /** When this scheduler first saw that revision (its own clock, epoch ms). */
  readonly sinceMs: number;
}

/** The sighting after reading the entry at `revision` at `nowMs`. */
export function nextSighting(
  previous: HeartbeatSighting | undefined,
  revision: number,
  nowMs: number,
): HeartbeatSighting {
  return previous !== undefined && previous.revision === revision ? previous : { revision, sinceMs: nowMs };
}

/** No new heartbeat seen for longer than `lostAfterMs`. */
export function isSilent(sighting: HeartbeatSighting, nowMs: number, lostAfterMs: number): boolean {
  return nowMs - sighting.sinceMs > lostAfterMs;
}
