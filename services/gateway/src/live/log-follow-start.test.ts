import { describe, expect, it } from 'vitest';
import { followJobRunLogs } from './log-follow.js';
import { JOB_RUN, line, range, reading, seqs, Sources, tick } from './log-follow.fixture.js';

describe("a log follow's first lines", () => {
  it("sends the next line seen passing before the stream's reader is made, once, and leaves the others to the reader", async () => {
    const sources = new Sources();
    let made: () => void = () => undefined;
    sources.tailGate = new Promise((resolve) => (made = resolve));
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    expect(sources.tails).toHaveLength(0);
    sources.print(line(1, 1));
    await tick();
    expect(seqs(events)).toEqual(['1.1']);
    // Seen passing, not next (2 was missed): the reader brings 2 and 3, in order.
    sources.published.push(line(1, 2), line(1, 3));
    for (const passer of sources.passers) if (passer.open) passer.push([line(1, 3)]);
    await tick();
    expect(seqs(events)).toEqual(['1.1']);
    made();
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 3));
    // Once the reader delivered, the plain subscription is closed.
    expect(sources.passers.map((passer) => passer.open)).toEqual([false]);
    sources.print(line(1, 4));
    sources.finishAttempt(1, 4);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 4));
  });

  it("sends the stream's first chunk before its reader is made, and the rest once the reader delivers", async () => {
    const sources = new Sources();
    let made: () => void = () => undefined;
    sources.tailGate = new Promise((resolve) => (made = resolve));
    sources.published = [1, 2, 3].map((seq) => line(1, seq));
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 2));
    made();
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 3));
    sources.finishAttempt(1, 3);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 3));
  });

  describe('asks the store for the first lines only when the stream may not hold them', () => {
    const end = async (sources: Sources, lastSeq: number) => {
      sources.finishAttempt(1, lastSeq);
      sources.finish('SUCCESS');
    };

    it("not when the job run's first chunk on the stream starts at the first line", async () => {
      const sources = new Sources();
      sources.published = [1, 2].map((seq) => line(1, seq));
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 0 }));
      await tick();
      await end(sources, 2);
      await done;
      expect(seqs(events)).toEqual(range(1, 1, 2));
      expect(sources.storeReads).toEqual([]);
    });

    it('not when, with none on the stream yet, the first line comes within storeWaitMs', async () => {
      const sources = new Sources();
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 60 }));
      await tick();
      sources.print(line(1, 1));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await end(sources, 1);
      await done;
      expect(seqs(events)).toEqual(['1.1']);
      expect(sources.storeReads).toEqual([]);
    });

    it('after storeWaitMs when none is on the stream: they may be stored and gone from it', async () => {
      const sources = new Sources();
      sources.store = [1, 2].map((seq) => line(1, seq));
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 30 }));
      await tick();
      expect(sources.storeReads).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(seqs(events)).toEqual(range(1, 1, 2));
      expect(sources.storeReads).toEqual([0]);
      await end(sources, 2);
      await done;
    });

    it("at once when the stream's first chunk of the job run starts after the line wanted", async () => {
      const sources = new Sources();
      sources.store = [1, 2].map((seq) => line(1, seq));
      sources.published = [line(1, 3)];
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 60_000 }));
      await tick();
      expect(seqs(events)).toEqual(range(1, 1, 3));
      await end(sources, 3);
      await done;
    });
  });
});
