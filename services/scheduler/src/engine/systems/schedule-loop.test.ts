import { describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { startScheduleLoop, type LoopClock } from './schedule-loop.js';

/** Timers on a clock the test moves. */
class FakeClock implements LoopClock {
  time = 0;
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.time;
  after(ms: number, fn: () => void) {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  /** Moves to `to`, running each timer due on the way (and letting the passes they start settle). */
  async advance(to: number): Promise<void> {
    for (;;) {
      const next = this.timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
    }
    this.time = to;
  }
}

describe('startScheduleLoop (fake clock)', () => {
  it('passes at each earliest planned time and at least every interval, only while leading', async () => {
    const clock = new FakeClock();
    const passes: number[] = [];
    let earliest: number | null = 250;
    let leader = true;
    const loop = startScheduleLoop(
      {
        pass: async () => {
          passes.push(clock.now());
          earliest = earliest !== null && earliest <= clock.now() ? earliest + 1000 : earliest;
          return { fired: 0, skipped: 0 };
        },
      },
      { earliest: () => (earliest === null ? null : new Date(earliest)) },
      () => leader,
      { intervalMs: 600, logger: silentLogger(), clock },
    );
    await clock.advance(2300);
    expect(passes).toEqual([250, 850, 1250, 1850, 2250]);
    leader = false;
    passes.length = 0;
    await clock.advance(5000);
    expect(passes).toEqual([]);
    leader = true;
    loop.wake();
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    expect(passes).toEqual([5000]);
    await loop.stop();
    await clock.advance(10_000);
    expect(passes).toEqual([5000]);
  });
});
