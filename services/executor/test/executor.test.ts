import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureClass, JobOutcome, LogStream } from '@fluxi/contracts';
import { waitFor } from '@fluxi/testkit';
import type { RunningExecutor } from '../src/index.js';
import { DEFAULT_PUMP_OPTIONS } from '../src/run/log-pump.js';
import {
  dataDirOf,
  enqueue,
  executeJob,
  isDead,
  readPid,
  startTestExecutor,
  startTestServers,
  testConfig,
  texts,
  type StreamCollector,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

const CONCURRENCY = 4;

let servers: TestServers;
let running: TestExecutor;
let queue: Queue;
let collector: StreamCollector;
let executor: RunningExecutor;
let dirs: TestServers['dirs'];
let dataDir: string;

beforeAll(async () => {
  servers = await startTestServers('fluxi-executor-');
  ({ dirs, collector } = servers);
  dataDir = dataDirOf(servers);
  running = await startTestExecutor(servers, testConfig(dataDir, { concurrency: CONCURRENCY }));
  ({ executor, queue } = running);
});

afterAll(async () => {
  await running?.stop();
  await servers?.stop();
});

describe('executor (shell driver)', () => {
  it('publishes started, the output lines in order by stream, then finished', async () => {
    const job = await enqueue(queue, executeJob({ command: 'echo one; echo two >&2; echo three; printf "last"' }));
    const run = await collector.attempt(job.jobRunId);
    expect(run.events.map((event) => event.kind.case)).toEqual(['started', 'finished']);
    expect(run.started.kind.case === 'started' && run.started.kind.value.executorId).toBe(executor.executorId);
    expect(run.started.kind.case === 'started' && run.started.kind.value.pid).toBeGreaterThan(0);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['one', 'three', 'last']);
    expect(texts(run.lines, LogStream.STDERR)).toEqual(['two']);
    expect(run.lines.map((line) => Number(line.seq))).toEqual([1, 2, 3, 4]);
    expect(run.lines.every((line) => line.attempt === 1)).toBe(true);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, exitCode: 0, lastSeq: 4n, reason: '' });
    expect(run.chunks.every((chunk) => chunk.pipelineRunId === job.pipelineRunId)).toBe(true);
  });

  it('reports a non-zero exit code as a job failure', async () => {
    const job = await enqueue(queue, executeJob({ command: 'echo failing >&2; exit 3' }));
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      exitCode: 3,
      failureClass: FailureClass.JOB,
      reason: 'exit code 3',
      lastSeq: 1n,
    });
  });

  it('reports a process killed by a signal', async () => {
    const job = await enqueue(queue, executeJob({ command: 'kill -9 $$' }));
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, exitCode: -1, failureClass: FailureClass.JOB });
    expect(run.finished.reason).toContain('SIGKILL');
  });

  it('applies env and workdir, and gives the job only PATH, HOME, LANG from the executor', async () => {
    const workdir = join(dirs.path, 'wd');
    mkdirSync(workdir);
    const job = await enqueue(
      queue,
      executeJob(
        {
          command:
            'echo "$GREETING"; pwd; echo "$FLUXI_JOB_RUN_ID $FLUXI_PIPELINE_RUN_ID $FLUXI_ATTEMPT"; echo "${VITEST:-unset}"; test -n "$PATH"',
          env: { GREETING: 'hello  world' },
          workdir,
        },
        2,
      ),
    );
    const run = await collector.attempt(job.jobRunId, 2);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([
      'hello  world',
      workdir,
      `${job.jobRunId} ${job.pipelineRunId} 2`,
      'unset',
    ]);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
  });

  it('runs without a workdir in a temporary folder that is removed afterwards', async () => {
    const job = await enqueue(queue, executeJob({ command: 'pwd; touch made-here' }));
    const run = await collector.attempt(job.jobRunId);
    const folder = join(dataDir, 'work', job.jobRunId);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([folder]);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    await waitFor(() => !existsSync(folder), { what: 'work folder removed' });
  });

  it('fails as infrastructure when the workdir does not exist', async () => {
    const missing = join(dirs.path, 'missing');
    const job = await enqueue(queue, executeJob({ command: 'true', workdir: missing }));
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.INFRASTRUCTURE,
      exitCode: -1,
      reason: `workdir ${missing} does not exist`,
    });
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([`workdir ${missing} does not exist`]);
  });

  it('fails an image job as infrastructure when the Docker driver is turned off', async () => {
    const job = await enqueue(queue, executeJob({ command: 'echo hi', image: 'alpine:3' }));
    const run = await collector.attempt(job.jobRunId);
    expect(run.events.map((event) => event.kind.case)).toEqual(['started', 'finished']);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.INFRASTRUCTURE,
      reason: 'docker driver not available in this executor',
    });
    expect(texts(run.lines, LogStream.SYSTEM)[0]).toContain('docker driver not available');
  });

  it('kills the whole process group on timeout', async () => {
    const pidFile = join(dirs.path, 'timeout.pid');
    const job = await enqueue(
      queue,
      executeJob({
        command: 'sleep 300 & echo $! > "$PID_FILE"; echo waiting; sleep 300',
        env: { PID_FILE: pidFile },
        timeoutSec: 1,
      }),
    );
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.TIMEOUT,
      exitCode: -1,
      reason: 'timed out after 1s',
    });
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['waiting']);
    expect(texts(run.lines, LogStream.SYSTEM).some((line) => line.startsWith('timed out after 1s'))).toBe(true);
    const background = await readPid(pidFile);
    const shell = run.started.kind.case === 'started' ? run.started.kind.value.pid : 0;
    expect(isDead(background)).toBe(true);
    expect(isDead(shell)).toBe(true);
  });

  it('escalates to SIGKILL when the job ignores SIGTERM after a timeout', async () => {
    const pidFile = join(dirs.path, 'stubborn.pid');
    const job = await enqueue(
      queue,
      executeJob({
        command: 'trap "" TERM; sleep 300 & echo $! > "$PID_FILE"; sleep 300',
        env: { PID_FILE: pidFile },
        timeoutSec: 1,
      }),
    );
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ failureClass: FailureClass.TIMEOUT, reason: 'timed out after 1s' });
    expect(isDead(await readPid(pidFile))).toBe(true);
  });

  it('does not hang on a background process that keeps the output open', async () => {
    const pidFile = join(dirs.path, 'holder.pid');
    const job = await enqueue(
      queue,
      executeJob({ command: 'sleep 300 & echo $! > "$PID_FILE"; echo done', env: { PID_FILE: pidFile } }),
    );
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, exitCode: 0 });
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['done']);
    expect(texts(run.lines, LogStream.SYSTEM)[0]).toContain('output still open');
    expect(isDead(await readPid(pidFile))).toBe(true);
  });

  it('stops processes a job leaves running after it exits', async () => {
    const pidFile = join(dirs.path, 'leftover.pid');
    const job = await enqueue(
      queue,
      executeJob({ command: 'sleep 300 >/dev/null 2>&1 & echo $! > "$PID_FILE"', env: { PID_FILE: pidFile } }),
    );
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual(['stopping processes the job left running']);
    expect(isDead(await readPid(pidFile))).toBe(true);
  });

  it('keeps all 10 000 lines of a chatty job in order, in chunks of at most maxChunkLines', async () => {
    const job = await enqueue(queue, executeJob({ command: "seq -f 'line %g' 1 10000" }));
    const run = await collector.attempt(job.jobRunId);
    // The output is larger than contexts.maxBytes: a last system line says its context was cut.
    expect(run.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, lastSeq: 10001n });
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(Array.from({ length: 10000 }, (_, i) => `line ${i + 1}`));
    expect(run.lines.map((line) => Number(line.seq))).toEqual(Array.from({ length: 10001 }, (_, i) => i + 1));
    expect(run.lines.at(-1)?.stream).toBe(LogStream.SYSTEM);
    expect(run.chunks.every((chunk) => chunk.lines.length <= (DEFAULT_PUMP_OPTIONS.maxChunkLines ?? 0))).toBe(true);
  });

  it('handles \\r\\n, very long lines and a last line without newline', async () => {
    const job = await enqueue(
      queue,
      executeJob({ command: "head -c 100000 /dev/zero | tr '\\0' a; printf '\\nwin\\r\\nend'" }),
    );
    const run = await collector.attempt(job.jobRunId);
    // The long line is split at executor.maxLineBytes (64 KiB): nothing dropped.
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['a'.repeat(65536), 'a'.repeat(100000 - 65536), 'win', 'end']);
  });

  it(`runs ${CONCURRENCY} jobs at once with concurrency ${CONCURRENCY}`, async () => {
    const barrier = join(dirs.path, 'barrier');
    mkdirSync(barrier);
    // Each job waits until all have arrived: they can only finish if they run together.
    const command = `touch "$BARRIER/$FLUXI_JOB_RUN_ID"; while [ "$(ls "$BARRIER" | wc -l)" -lt ${CONCURRENCY} ]; do sleep 0.05; done; echo released`;
    const jobs = await Promise.all(
      Array.from({ length: CONCURRENCY }, () =>
        enqueue(queue, executeJob({ command, env: { BARRIER: barrier }, timeoutSec: 30 })),
      ),
    );
    const runs = await Promise.all(jobs.map((job) => collector.attempt(job.jobRunId)));
    expect(runs.map((run) => run.finished.outcome)).toEqual(Array(CONCURRENCY).fill(JobOutcome.SUCCESS));
    expect(readdirSync(barrier)).toHaveLength(CONCURRENCY);
    // Every started event came before the first finished event of the group.
    const ids = new Set(jobs.map((job) => job.jobRunId));
    const kinds = collector.events.filter((event) => ids.has(event.jobRunId)).map((event) => event.kind.case);
    expect(kinds.slice(0, CONCURRENCY)).toEqual(Array(CONCURRENCY).fill('started'));
  });

  it('fails the BullMQ job of a malformed payload and keeps working', async () => {
    await queue.add(
      'execute',
      { payload: { version: 'CONTRACT_VERSION_UNSPECIFIED', jobRunId: 'JRBAD' } },
      { jobId: 'bad-1', attempts: 1 },
    );
    await queue.add('execute', { nonsense: true }, { jobId: 'bad-2', attempts: 1 });
    for (const id of ['bad-1', 'bad-2']) {
      await waitFor(async () => (await queue.getJobState(id)) === 'failed', { what: `${id} failed` });
    }
    expect((await queue.getJob('bad-1'))?.failedReason).toContain('unsupported contract version');
    expect((await queue.getJob('bad-2'))?.failedReason).toContain('payload');
    expect(collector.eventsOf('JRBAD')).toEqual([]);
    const job = await enqueue(queue, executeJob({ command: 'echo still alive' }));
    expect((await collector.attempt(job.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
  });

  it('completes the BullMQ job after finished, with a small result', async () => {
    const job = await enqueue(queue, executeJob({ command: 'echo x' }));
    await collector.attempt(job.jobRunId);
    await waitFor(async () => (await queue.getJobState(job.jobRunId)) === 'completed', { what: 'completed' });
    expect((await queue.getJob(job.jobRunId))?.returnvalue).toEqual({ outcome: 'SUCCESS', exitCode: 0, lastSeq: 1 });
  });
});
