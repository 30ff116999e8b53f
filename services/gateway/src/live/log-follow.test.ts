import { describe, expect, it } from 'vitest';
import { followJobRunLogs } from './log-follow.js';
import { collect, JOB_RUN, line, range, reading, seqs, Sources, tick } from './log-follow.fixture.js';

describe('following a job run log', () => {
  it('sends the stored lines, then the live ones, each once in order, then the end', async () => {
    const sources = new Sources();
    sources.store = [1, 2, 3, 4, 5].map((seq) => line(1, seq));
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    // The live stream still holds lines the store has too: they are sent once.
    sources.print(...[4, 5, 6, 7].map((seq) => line(1, seq)));
    sources.finishAttempt(1, 8);
    sources.finish('SUCCESS');
    await tick();
    sources.print(line(1, 8));
    const events = await done;
    expect(seqs(events)).toEqual(range(1, 1, 8));
    expect(events.at(-1)).toEqual({ kind: 'end', end: { jobRunId: JOB_RUN, status: 'SUCCESS', attempt: 1 } });
  });

  it("sends the stream's lines without waiting for the store's answer, then the store's in order", async () => {
    const sources = new Sources();
    let answer: () => void = () => undefined;
    sources.storeGate = new Promise((resolve) => (answer = resolve));
    sources.published = [1, 2].map((seq) => line(1, seq));
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 2));
    // The store, slow to answer, has them too, and one the stream no longer holds is not there.
    sources.store = [1, 2].map((seq) => line(1, seq));
    answer();
    sources.print(line(1, 3));
    sources.finishAttempt(1, 3);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 3));
  });

  it('opens the live stream while the job run is looked up, and sends its lines once the lookup answers', async () => {
    const sources = new Sources();
    let answer: () => void = () => undefined;
    sources.lookupGate = new Promise((resolve) => (answer = resolve));
    const follow = followJobRunLogs(sources, { jobRunId: JOB_RUN });
    await tick();
    // Opened before anyone read the follow and before the lookup answered.
    expect(sources.tails).toHaveLength(1);
    sources.print(line(1, 1), line(1, 2));
    const { seen: events, done } = reading(follow);
    await tick();
    expect(events).toEqual([]);
    answer();
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 2));
    sources.finishAttempt(1, 2);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 2));
  });

  it('ends with NOT_FOUND for a job run that does not exist, and stops the stream it opened', async () => {
    const sources = new Sources();
    const follow = followJobRunLogs(sources, { jobRunId: 'nope' });
    await expect(collect(follow)).rejects.toThrow('job run nope not found');
    expect(sources.tails.map((tail) => tail.open)).toEqual([false]);
    expect(sources.passers.map((passer) => passer.open)).toEqual([false]);
  });

  it('ends with the error of a store that fails, after the lines the stream gave', async () => {
    const sources = new Sources();
    sources.published = [line(1, 1)];
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    // Line 2 is not on the stream: the store is asked for it, and fails.
    sources.storeGate = Promise.reject(new Error('the logs service does not answer'));
    sources.print(line(1, 3));
    await expect(done).rejects.toThrow('the logs service does not answer');
    expect(seqs(events)).toEqual(range(1, 1, 1));
  });

  it('starts from fromSeq, and fills a gap from the store once it has the lines', async () => {
    const sources = new Sources();
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN, fromSeq: 2 }, { gapWaitMs: 5_000 }));
    await tick();
    // The stream no longer holds 1..3 and the store lags behind: 4 comes first.
    sources.print(line(1, 4), line(1, 5));
    await tick();
    sources.store = [1, 2, 3].map((seq) => line(1, seq));
    sources.finishAttempt(1, 5);
    sources.finish('FAILED');
    const events = await done;
    expect(seqs(events)).toEqual(range(1, 2, 5));
  });

  it('reads the live stream again from its start when the store does not get the missing lines', async () => {
    const sources = new Sources();
    sources.store = [line(1, 1)];
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { gapWaitMs: 50 }));
    await tick();
    sources.published = [1, 2, 3].map((seq) => line(1, seq));
    sources.print(line(1, 4));
    sources.finishAttempt(1, 4);
    sources.finish('SUCCESS');
    const events = await done;
    // Opened once, and once more from its start for the missing lines.
    expect(sources.tails).toHaveLength(2);
    expect(seqs(events)).toEqual(range(1, 1, 4));
  });

  it('ends with an error naming where to resume when lines cannot be had at all', async () => {
    const sources = new Sources();
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { gapWaitMs: 20 }));
    await tick();
    sources.print(line(1, 3));
    await expect(done).rejects.toThrow(/lines from 1 of attempt 1 .* follow again from seq 1/);
  });

  it('follows a retry into its next attempt and ends after the last attempt', async () => {
    const sources = new Sources();
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    sources.print(line(1, 1), line(1, 2));
    sources.finishAttempt(1, 2);
    sources.print(line(2, 1), line(2, 2), line(2, 3));
    sources.finishAttempt(2, 3);
    sources.finish('SUCCESS', 2);
    const events = await done;
    expect(seqs(events)).toEqual([...range(1, 1, 2), ...range(2, 1, 3)]);
  });

  it('keeps only the levels asked for, and still ends', async () => {
    const sources = new Sources();
    sources.store = [line(1, 1, 'ERROR'), line(1, 2, 'NONE'), line(1, 3, 'WARN'), line(1, 4, 'DEBUG')];
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN, levels: ['ERROR', 'WARN'] }));
    await tick();
    sources.finishAttempt(1, 4);
    sources.finish('SUCCESS');
    const events = await done;
    expect(seqs(events)).toEqual(['1.1', '1.3']);
    expect(events.at(-1)?.kind).toBe('end');
  });

  it('ends a job run cancelled before it ran at once, and one cancelled while it ran after a short wait', async () => {
    const queued = new Sources();
    const before = collect(followJobRunLogs(queued, { jobRunId: JOB_RUN }, { endWaitMs: 60_000 }));
    await tick();
    queued.finish('CANCELLED', 1, false);
    expect(await before).toEqual([{ kind: 'end', end: { jobRunId: JOB_RUN, status: 'CANCELLED', attempt: 1 } }]);

    const running = new Sources();
    const during = collect(followJobRunLogs(running, { jobRunId: JOB_RUN }, { endWaitMs: 30 }));
    await tick();
    running.print(line(1, 1));
    running.finish('CANCELLED');
    expect(seqs(await during)).toEqual(['1.1']);
  });

  it('fails at once for a job run that does not exist', async () => {
    await expect(collect(followJobRunLogs(new Sources(), { jobRunId: 'JR404' }))).rejects.toThrow(
      'job run JR404 not found',
    );
  });
});
