import { describe, expect, it } from 'vitest';
import { holdingOf, type AttemptObservation } from './holding.js';

const seen = (queue: AttemptObservation['queue'], finishEvent?: AttemptObservation['finishEvent']) => ({
  queue,
  ...(finishEvent === undefined ? {} : { finishEvent }),
});

describe('holdingOf', () => {
  it('holds what the queue still holds, whatever the stream says', () => {
    for (const status of ['QUEUED', 'RUNNING'] as const) {
      expect(holdingOf(status, seen({ state: 'waiting' }))).toEqual({ held: true });
      expect(holdingOf(status, seen({ state: 'active' }, 'none'))).toEqual({ held: true });
    }
  });

  it('leaves a QUEUED job run missing from the queue to the dispatch recovery', () => {
    expect(holdingOf('QUEUED', seen({ state: 'missing' }, 'none'))).toEqual({ held: true });
  });

  it('ends a RUNNING job run missing from the queue', () => {
    expect(holdingOf('RUNNING', seen({ state: 'missing' }, 'none'))).toEqual({
      held: false,
      reason: 'executor lost: the attempt is missing from the queue',
    });
  });

  it('ends a failed queue job, quoting the queue', () => {
    const failed = { state: 'failed', failedReason: 'gave up publishing: the executor is stopping' } as const;
    expect(holdingOf('RUNNING', seen(failed, 'none'))).toEqual({
      held: false,
      reason: 'executor lost: the queue reports the attempt failed: gave up publishing: the executor is stopping',
    });
    expect(holdingOf('QUEUED', seen({ state: 'failed', failedReason: ' ' }, 'consumed'))).toEqual({
      held: false,
      reason: 'executor lost: the queue reports the attempt failed',
    });
  });

  it('cuts a long queue reason and makes it storable', () => {
    const failed = { state: 'failed', failedReason: `x\u0000${'y'.repeat(1000)}` } as const;
    const holding = holdingOf('RUNNING', seen(failed, 'none'));
    expect(holding.held).toBe(false);
    if (!holding.held) {
      expect(holding.reason.length).toBeLessThan(300);
      expect(holding.reason).toContain('x\uFFFDyyy');
    }
  });

  it('ends a completed queue job whose finish event is not on the stream or was consumed without effect', () => {
    for (const finishEvent of ['none', 'consumed'] as const) {
      expect(holdingOf('RUNNING', seen({ state: 'completed' }, finishEvent))).toEqual({
        held: false,
        reason:
          'executor lost: the queue reports the attempt completed, but its finish event never reached the scheduler',
      });
    }
  });

  it('leaves an attempt whose finish event waits on the stream to the consumer, however the queue ended it', () => {
    for (const queue of [
      { state: 'completed' },
      { state: 'failed', failedReason: 'x' },
      { state: 'missing' },
    ] as const) {
      expect(holdingOf('RUNNING', seen(queue, 'pending'))).toEqual({ held: true });
    }
  });

  it('decides nothing when the stream was not asked', () => {
    expect(holdingOf('RUNNING', seen({ state: 'completed' }))).toEqual({ held: true });
  });

  it('ends an active attempt whose executor went silent, naming it and its last heartbeat', () => {
    const active = { state: 'active', processedBy: 'host-a:42' } as const;
    const silent = {
      state: 'silent',
      executorId: 'host-a:42',
      lastHeartbeatMs: Date.UTC(2025, 0, 2, 3, 4, 5),
    } as const;
    for (const status of ['QUEUED', 'RUNNING'] as const) {
      expect(holdingOf(status, { queue: active, executor: silent })).toEqual({
        held: false,
        reason: 'executor lost: no heartbeat from host-a:42 since 2025-01-02T03:04:05.000Z',
      });
    }
  });

  it('holds an active attempt whose executor beats, is not known, or was not checked', () => {
    const active = { state: 'active' } as const;
    for (const executor of [{ state: 'live' }, { state: 'unknown' }, undefined] as const) {
      const observation = executor === undefined ? { queue: active } : { queue: active, executor };
      expect(holdingOf('RUNNING', observation)).toEqual({ held: true });
    }
  });
});
