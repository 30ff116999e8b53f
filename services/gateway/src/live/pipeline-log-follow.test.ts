import { describe, expect, it } from 'vitest';
import type { LogFollowEvent } from './live-types.js';
import { followPipelineRunLogs, type PipelineLogEvent } from './pipeline-log-follow.js';
import type { RunEventView } from './run-event-view.js';

const jobRunEvent = (jobRunId: string, name: string, status: string): RunEventView =>
  ({ jobRun: { jobRunId, name, status }, run: null }) as unknown as RunEventView;
const runEvent = (status: string): RunEventView => ({ jobRun: null, run: { status } }) as unknown as RunEventView;

async function* lines(jobRunId: string, count: number, status = 'SUCCESS'): AsyncGenerator<LogFollowEvent> {
  for (let seq = 1; seq <= count; seq++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield {
      kind: 'line',
      line: { jobRunId, attempt: 1, seq, stream: 'STDOUT', level: 'NONE', text: `${jobRunId} ${seq}`, ts: '' },
    };
  }
  yield { kind: 'end', end: { jobRunId, status, attempt: 1 } };
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const describeEvent = (event: PipelineLogEvent): string =>
  event.kind === 'line'
    ? `${event.line.jobName}:${event.line.seq}`
    : event.kind === 'jobEnd'
      ? `${event.end.jobName} ${event.end.status}`
      : `run ${event.end.status}`;

describe("a pipeline run's merged log", () => {
  it("tags each job run's lines with its job, ends each job run, then the run", async () => {
    const followed: string[] = [];
    const events: PipelineLogEvent[] = [];
    for await (const event of followPipelineRunLogs('PR1', {
      runEvents: from([
        jobRunEvent('JRa', 'build', 'QUEUED'),
        jobRunEvent('JRb', 'test', 'PENDING'),
        jobRunEvent('JRa', 'build', 'RUNNING'),
        jobRunEvent('JRc', 'lint', 'SKIPPED'),
        jobRunEvent('JRb', 'test', 'QUEUED'),
        runEvent('FAILED'),
      ]),
      jobRunLogs: (jobRunId) => {
        followed.push(jobRunId);
        return jobRunId === 'JRa' ? lines('JRa', 3) : lines('JRb', 2, 'FAILED');
      },
    })) {
      events.push(event);
    }
    expect(followed).toEqual(['JRa', 'JRb']);
    const described = events.map(describeEvent);
    expect(described.filter((e) => e.startsWith('build'))).toEqual(['build:1', 'build:2', 'build:3', 'build SUCCESS']);
    expect(described.filter((e) => e.startsWith('test'))).toEqual(['test:1', 'test:2', 'test FAILED']);
    expect(described.at(-1)).toBe('run FAILED');
  });

  it('ends the follows it opened when the client goes away', async () => {
    let ended = false;
    async function* endless(): AsyncGenerator<LogFollowEvent> {
      try {
        for (let seq = 1; ; seq++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield {
            kind: 'line',
            line: { jobRunId: 'JRa', attempt: 1, seq, stream: 'STDOUT', level: 'NONE', text: '', ts: '' },
          };
        }
      } finally {
        ended = true;
      }
    }
    const merged = followPipelineRunLogs('PR1', {
      runEvents: from([jobRunEvent('JRa', 'build', 'RUNNING')]),
      jobRunLogs: () => endless(),
    });
    await merged.next();
    await merged.next();
    await merged.return?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(true);
  });
});
