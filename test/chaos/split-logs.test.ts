import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveClient, subscribe } from '../e2e/live-client.js';
import { startSplitFluxi, type SplitFluxi } from '../e2e/split-fluxi.js';
import { expectAllStored, numberedLines, report } from './harness.js';

const LINES = 400;
const EXPECTED = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);
const DOWN_MS = 10_000;

const LOGS = `subscription ($id: ID!) {
  jobRunLogs(jobRunId: $id) {
    __typename
    ... on LiveLogLine { seq text }
    ... on JobRunLogEnd { status }
  }
}`;

/**
 * The logs service SIGKILLed for 10 s in the middle of a run, in the one-service-per-process
 * layout: the executor keeps publishing, a live follower keeps getting lines from the
 * stream, and once the logs service is back it stores every line once (seq 1..N).
 */
describe('chaos: the logs service down for 10 s mid-run', () => {
  let fluxi: SplitFluxi;

  beforeAll(async () => {
    fluxi = await startSplitFluxi();
  });
  afterAll(async () => {
    await fluxi?.cleanup();
  });

  it('loses no line, stores none twice, and keeps the live follow going', async () => {
    const { api } = fluxi;
    // ~400 lines over ~16 s: the outage falls in the middle.
    const jobId = await api.createJob({ name: 'printer', command: numberedLines(LINES, 40) });
    const run = await api.triggerJob(jobId);
    const jobRun = await api.jobRunIn(run, 'printer', 'RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const live = liveClient(fluxi.gatewayUrl, fluxi.adminKey);
    const follow = subscribe<{ __typename: string; seq?: number; text?: string; status?: string }>(live, LOGS, {
      id: jobRun.id,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));

    const logs = fluxi.process('logs');
    const killedAt = Date.now();
    logs.kill('SIGKILL');
    await new Promise<void>((resolve) => logs.once('exit', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    const receivedWhileDown = follow.events.length;
    await fluxi.restart('logs');

    const [ended] = await Promise.all([api.ended(run, 120_000), follow.done]);
    await live.dispose();
    const figures = await expectAllStored(api, [ended], EXPECTED);
    expect(follow.errors).toEqual([]);
    const lines = follow.events.filter((event) => event.__typename === 'LiveLogLine');
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i + 1));
    expect(lines.filter((line) => line.text?.startsWith('line ')).map((line) => line.text)).toEqual(EXPECTED);
    expect(follow.events.at(-1)).toMatchObject({ __typename: 'JobRunLogEnd', status: 'SUCCESS' });
    report('logs service SIGKILL for 10 s (split layout)', {
      ...figures,
      liveLines: lines.length,
      liveEventsWhileLogsDown: receivedWhileDown,
      restartedAfterMs: Date.now() - killedAt,
    });
  });
});
