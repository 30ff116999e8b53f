/**
 * The leader lease between scheduler replicas, as pure decisions (the KV calls are the transport's).
 * No clock is shared: a replica takes the lease over when it has seen the same revision for a whole
 * TTL by its own clock; the holder counts itself leader until TTL after it sent its last successful
 * renewal, which is never later than another replica can take over.
 */
export interface LeaseView {
  readonly holder: string;
  readonly revision: number;
}

export interface LeaseState {
  /** Whether this replica's last claim succeeded. */
  readonly held: boolean;
  /** Until when (this replica's clock, ms) it counts itself leader. */
  readonly heldUntilMs: number;
  /** The revision last seen, and since when (this replica's clock) it has not changed. */
  readonly seenRevision: number | null;
  readonly seenSinceMs: number;
}

export const INITIAL_LEASE: LeaseState = { held: false, heldUntilMs: 0, seenRevision: null, seenSinceMs: 0 };

export type LeaseStep =
  /** Write the lease if it is still at `expected` (null: create it). */
  { action: 'claim'; expected: number | null } | { action: 'wait' };

/** Records what was read: a new revision restarts the wait; another holder ends this one's lead. */
export function observe(state: LeaseState, view: LeaseView | null, self: string, nowMs: number): LeaseState {
  const lost = state.held && view?.holder !== self;
  const next = lost ? { ...state, held: false, heldUntilMs: 0 } : state;
  const revision = view?.revision ?? null;
  if (revision === next.seenRevision) return next;
  return { ...next, seenRevision: revision, seenSinceMs: nowMs };
}

/** What to do after reading `view` (call `observe` first). */
export function nextStep(
  state: LeaseState,
  view: LeaseView | null,
  self: string,
  nowMs: number,
  ttlMs: number,
): LeaseStep {
  if (view === null) return { action: 'claim', expected: null };
  if (view.holder === self) return { action: 'claim', expected: view.revision };
  if (nowMs - state.seenSinceMs >= ttlMs) return { action: 'claim', expected: view.revision };
  return { action: 'wait' };
}

/**
 * After a claim sent at `sentAtMs`: leader until sentAtMs + ttl when it succeeded (the new
 * revision is then the one seen); not leader when another replica wrote first.
 */
export function claimed(state: LeaseState, revision: number | null, sentAtMs: number, ttlMs: number): LeaseState {
  if (revision === null) return { ...state, held: false, heldUntilMs: 0 };
  return { held: true, heldUntilMs: sentAtMs + ttlMs, seenRevision: revision, seenSinceMs: sentAtMs };
}

/** Whether this replica may fire now. */
export function isLeader(state: LeaseState, nowMs: number): boolean {
  return state.held && nowMs < state.heldUntilMs;
}
