import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';
import { liveClient, readSse, subscribe } from './live-client.js';

/**
 * Live through the gateway: a job run's log followed over graphql-ws and SSE (late join,
 * resume, levels, end), a pipeline run's events, and the API key check of both.
 */

const dir = tempDir('fluxi-live-');
let system: FluxiSystem;
let api: FluxiApi;
let url: string;
let key: string;

beforeAll(async () => {
  const config = loadConfig({
    flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false, 'executor.killGraceSec': 1 },
  });
  system = await startFluxi(config, createLogger({ level: 'warn', console: false, dir: join(dir.path, 'logs') }));
  url = system.url as string;
  key = system.adminKey as string;
  api = new FluxiApi(client(url, key));
});

afterAll(async () => {
  await system?.stop();
  dir.remove();
});

const LINES = 120;
/** Prints `line 1` … `line N`, slowly enough that a client joins in the middle. */
const COUNTING = `i=1; while [ $i -le ${LINES} ]; do echo "line $i"; i=$((i+1)); sleep 0.02; done`;

const LOGS = `subscription ($id: ID!, $fromSeq: Int, $levels: [LineLevel!]) {
  jobRunLogs(jobRunId: $id, fromSeq: $fromSeq, levels: $levels) {
    __typename
    ... on LiveLogLine { seq attempt stream level text }
    ... on JobRunLogEnd { status attempt }
  }
}`;

interface LogEvent {
  __typename: 'LiveLogLine' | 'JobRunLogEnd';
  seq?: number;
  text?: string;
  level?: string;
  status?: string;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Starts the counting job and waits until part of its output is stored: a client joining now joins late. */
async function countingJobRun(): Promise<{ runId: string; jobRunId: string }> {
  const jobId = await api.createJob({ name: `counting-${Math.random().toString(36).slice(2, 8)}`, command: COUNTING });
  const runId = await api.triggerJob(jobId);
  const jobRunId = await waitFor(async () => (await api.run(runId)).jobRuns[0]?.id, { what: 'the job run' });
  await waitFor(async () => (await api.logLines(jobRunId)).length >= 20, {
    what: '20 stored lines',
    timeoutMs: 60_000,
  });
  return { runId, jobRunId };
}

describe('live job run logs', () => {
  it('give a late subscriber every line once, in seq order, then the final status', async () => {
    const { jobRunId } = await countingJobRun();
    const live = liveClient(url, key);
    try {
      const sub = subscribe<LogEvent>(live, LOGS, { id: jobRunId });
      await sub.done;
      expect(sub.errors).toEqual([]);
      const lines = sub.events.filter((event) => event.__typename === 'LiveLogLine');
      const stdout = lines.filter((line) => line.text?.startsWith('line '));
      expect(stdout.map((line) => line.text)).toEqual(range(1, LINES).map((i) => `line ${i}`));
      expect(lines.map((line) => line.seq)).toEqual(range(1, lines.length));
      expect(sub.events.at(-1)).toMatchObject({ __typename: 'JobRunLogEnd', status: 'SUCCESS', attempt: 1 });
    } finally {
      await live.dispose();
    }
  });

  it('resume over SSE after Last-Event-ID, and from fromSeq over graphql-ws', async () => {
    const { jobRunId } = await countingJobRun();
    const sse = await readSse(`${url}/api/v1/job-runs/${jobRunId}/logs/stream`, {
      authorization: `Bearer ${key}`,
      'last-event-id': '1.10',
    });
    expect(sse.status).toBe(200);
    expect(sse.contentType).toContain('text/event-stream');
    const lines = sse.events.filter((event) => event.event === 'line');
    expect(lines.map((event) => event.id)).toEqual(range(11, 10 + lines.length).map((seq) => `1.${seq}`));
    expect(lines.length).toBeGreaterThanOrEqual(LINES - 10);
    expect(sse.events.at(-1)).toMatchObject({ event: 'end', data: { jobRunId, status: 'SUCCESS' } });

    const live = liveClient(url, key);
    try {
      const sub = subscribe<LogEvent>(live, LOGS, { id: jobRunId, fromSeq: 100 });
      await sub.done;
      const seqs = sub.events.filter((event) => event.__typename === 'LiveLogLine').map((event) => event.seq);
      expect(seqs[0]).toBe(100);
      expect(seqs).toEqual(range(100, 99 + seqs.length));
    } finally {
      await live.dispose();
    }
  });

  it('keep only the lines of the levels asked for', async () => {
    const jobId = await api.createJob({
      name: 'levels',
      command: 'echo "ERROR: disk full"; echo "WARN low memory"; echo "just a line"; echo "[debug] x=1"',
    });
    const runId = await api.triggerJob(jobId);
    const jobRunId = (await api.ended(runId)).jobRuns[0]?.id as string;
    const live = liveClient(url, key);
    try {
      const sub = subscribe<LogEvent>(live, LOGS, { id: jobRunId, levels: ['ERROR', 'WARN'] });
      await sub.done;
      expect(sub.events.filter((event) => event.__typename === 'LiveLogLine').map((event) => event.text)).toEqual([
        'ERROR: disk full',
        'WARN low memory',
      ]);
    } finally {
      await live.dispose();
    }
    const sse = await readSse(`${url}/api/v1/job-runs/${jobRunId}/logs/stream?level=debug`, {
      authorization: `Bearer ${key}`,
    });
    expect(sse.events.filter((event) => event.event === 'line').map((event) => (event.data as LogEvent).text)).toEqual([
      '[debug] x=1',
    ]);
  });

  it('refuse a connection without a valid key, and name what is wrong', async () => {
    for (const wrong of [undefined, 'fluxi_not-a-key']) {
      const live = liveClient(url, wrong);
      const sub = subscribe<LogEvent>(live, LOGS, { id: 'JR00000000000000000000000000' });
      await sub.done;
      expect(sub.events).toEqual([]);
      expect((sub.errors[0] as { code?: number }).code).toBe(4403);
      await live.dispose();
    }
    const noKey = await fetch(`${url}/api/v1/job-runs/JR00000000000000000000000000/logs/stream`);
    expect(noKey.status).toBe(401);

    const live = liveClient(url, key);
    try {
      const sub = subscribe<LogEvent>(live, LOGS, { id: 'JR00000000000000000000000000' });
      await sub.done;
      expect(sub.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
      expect(JSON.stringify(sub.errors)).not.toMatch(/stack|\/work\/|node_modules/);
    } finally {
      await live.dispose();
    }
    const missing = await fetch(`${url}/api/v1/job-runs/JR00000000000000000000000000/logs/stream`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(await missing.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});

describe('live pipeline run events', () => {
  const EVENTS = `subscription ($id: ID!, $fromSeq: Int) {
    pipelineRunUpdated(id: $id, fromSeq: $fromSeq) {
      seq kind run { status } jobRun { name status attempt }
    }
  }`;

  interface RunEventView {
    seq: number;
    kind: string;
    run: { status: string } | null;
    jobRun: { name: string; status: string; attempt: number } | null;
  }

  it("tell a run's whole story in seq order, over graphql-ws and SSE (resumed)", async () => {
    const first = await api.createJob({ name: 'first', command: 'echo one' });
    const second = await api.createJob({ name: 'second', command: 'echo two' });
    const pipelineId = await api.createPipeline({
      name: 'story',
      stages: [
        { name: 'a', entries: [{ jobId: first }] },
        { name: 'b', entries: [{ jobId: second }] },
      ],
    });
    const { id: runId } = await api.trigger(pipelineId);
    const live = liveClient(url, key);
    let all: RunEventView[];
    try {
      const sub = subscribe<RunEventView>(live, EVENTS, { id: runId });
      await sub.done;
      expect(sub.errors).toEqual([]);
      all = sub.events;
    } finally {
      await live.dispose();
    }
    expect(all.map((event) => event.seq)).toEqual(range(1, all.length));
    expect(all.at(-1)?.run?.status).toBe('SUCCESS');
    const jobStatuses = (name: string) =>
      all.filter((event) => event.jobRun?.name === name).map((event) => event.jobRun?.status);
    expect(jobStatuses('first')).toContain('SUCCESS');
    expect(jobStatuses('second').at(-1)).toBe('SUCCESS');

    const sse = await readSse(`${url}/api/v1/pipeline-runs/${runId}/events`, {
      authorization: `Bearer ${key}`,
      'last-event-id': '2',
    });
    expect(sse.events.map((event) => Number(event.id))).toEqual(range(3, all.length));
    expect(sse.events.map((event) => (event.data as RunEventView).kind)).toEqual(all.slice(2).map((e) => e.kind));
  });

  it("merge every job's lines of a run over SSE, tagged with the job, then end with the run", async () => {
    const left = await api.createJob({ name: 'left', command: 'for i in 1 2 3; do echo "left $i"; sleep 0.05; done' });
    const right = await api.createJob({ name: 'right', command: 'for i in 1 2; do echo "right $i"; sleep 0.05; done' });
    const pipelineId = await api.createPipeline({
      name: 'merged',
      stages: [{ name: 'both', entries: [{ jobId: left }, { jobId: right }] }],
    });
    const { id: runId } = await api.trigger(pipelineId);
    const sse = await readSse(`${url}/api/v1/pipeline-runs/${runId}/logs/stream`, { authorization: `Bearer ${key}` });
    expect(sse.status).toBe(200);
    const lines = sse.events
      .filter((event) => event.event === 'line')
      .map((event) => event.data as LogEvent & { jobName: string });
    const of = (job: string) =>
      lines.filter((line) => line.jobName === job && line.text?.startsWith(job)).map((line) => line.text);
    expect(of('left')).toEqual(['left 1', 'left 2', 'left 3']);
    expect(of('right')).toEqual(['right 1', 'right 2']);
    const ends = sse.events.filter((event) => event.event !== 'line');
    expect(ends.map((event) => event.event)).toEqual(['job-end', 'job-end', 'end']);
    expect(ends.at(-1)?.data).toEqual({ pipelineRunId: runId, status: 'SUCCESS' });
  });
});
