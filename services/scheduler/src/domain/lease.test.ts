import { describe, expect, it } from 'vitest';
import { claimed, INITIAL_LEASE, isLeader, nextStep, observe, type LeaseState, type LeaseView } from './lease.js';

const TTL = 3000;

/** One replica's round, as the transport runs it, against a shared store of the lease. */
function round(store: { view: LeaseView | null }, state: LeaseState, self: string, now: number): LeaseState {
  let next = observe(state, store.view, self, now);
  const step = nextStep(next, store.view, self, now, TTL);
  if (step.action === 'claim') {
    const current = store.view?.revision ?? null;
    const won = current === step.expected;
    if (won) store.view = { holder: self, revision: (current ?? 0) + 1 };
    next = claimed(next, won ? (store.view?.revision ?? null) : null, now, TTL);
  }
  return next;
}

describe('leader lease (fake clock)', () => {
  it('one of two replicas leads; the other takes over one TTL after the renewals stop, not before', () => {
    const store: { view: LeaseView | null } = { view: null };
    let a = INITIAL_LEASE;
    let b = INITIAL_LEASE;
    // Both start at once: a claims first, b finds the entry.
    a = round(store, a, 'a', 0);
    b = round(store, b, 'b', 0);
    expect([isLeader(a, 0), isLeader(b, 0)]).toEqual([true, false]);
    // a renews every second for 10 s: b never takes over.
    for (let t = 1000; t <= 10_000; t += 1000) {
      a = round(store, a, 'a', t);
      b = round(store, b, 'b', t);
      expect([isLeader(a, t), isLeader(b, t)]).toEqual([true, false]);
    }
    // a dies at 10.5 s (last renewal 10 s). b takes over at the first round a TTL after it saw that renewal.
    const leaders: number[] = [];
    for (let t = 11_000; t <= 16_000; t += 1000) {
      b = round(store, b, 'b', t);
      if (isLeader(b, t)) leaders.push(t);
      // a's own view: its lead ended TTL after its last renewal was sent, before b's began.
      expect(isLeader(a, t)).toBe(t < 13_000);
    }
    expect(leaders[0]).toBe(13_000);
    expect(store.view?.holder).toBe('b');
  });

  it('a holder that finds another holder stops leading at once', () => {
    const store: { view: LeaseView | null } = { view: null };
    let a = round(store, INITIAL_LEASE, 'a', 0);
    store.view = { holder: 'b', revision: 7 };
    a = round(store, a, 'a', 500);
    expect(isLeader(a, 500)).toBe(false);
    expect(nextStep(a, store.view, 'a', 500, TTL)).toEqual({ action: 'wait' });
  });

  it('a released lease is claimed at once', () => {
    const store: { view: LeaseView | null } = { view: { holder: 'a', revision: 3 } };
    let b = round(store, INITIAL_LEASE, 'b', 0);
    expect(isLeader(b, 0)).toBe(false);
    store.view = null;
    b = round(store, b, 'b', 100);
    expect(isLeader(b, 100)).toBe(true);
  });

  it('a renewal lost in a race (another write first) is no lead', () => {
    const state = claimed(INITIAL_LEASE, null, 0, TTL);
    expect(isLeader(state, 0)).toBe(false);
    expect(isLeader(claimed(INITIAL_LEASE, 4, 1000, TTL), 3999)).toBe(true);
    expect(isLeader(claimed(INITIAL_LEASE, 4, 1000, TTL), 4000)).toBe(false);
  });
});
