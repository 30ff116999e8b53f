import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdPrefix, newId } from '@fluxi/common';
import { LocalArtifactStore } from '@fluxi/artifacts';
import type { Database } from '@fluxi/db';
import { tempDir } from '@fluxi/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../src/domain/status.js';
import { RetentionSystem } from '../src/engine/systems/retention.js';
import type { RunStore } from '../src/store/run-store.js';
import { DAY, daysAgo, now, openRetentionDatabases, type Made } from './retention-fixture.js';
import { newJobRunRecord, newRunRecord } from './support/run-records.js';

/**
 * Run history retention on PGlite and PostgreSQL: what a retention pass deletes, what stays, and
 * what is logged. The scheduler's own pass at start: retention-scheduler.test.ts.
 */

const { engines } = openRetentionDatabases(['PGlite', 'PostgreSQL']);

describe.each(engines)('run retention on $name', (engine) => {
  const artifacts = new LocalArtifactStore({ dir: tempDir('fluxi-retention-artifacts-').path, maxFileBytes: 1 << 20 });
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

  function system(batchSize = 100, keepSentEventsMs = DAY): RetentionSystem {
    const store = engine.store as RunStore;
    return new RetentionSystem({ store, logger, now: () => now }, store.retention, artifacts, {
      defaultRunDays: 30,
      batchSize,
      keepSentEventsMs,
    });
  }

  /** A run of one job run, with an attempt, an artifact (record and file), a context and run events. */
  async function makeRun(options: {
    status: RunStatus;
    endedDaysAgo: number | null;
    runDays?: number;
    reusedFrom?: string;
  }): Promise<Made> {
    const store = engine.store as RunStore;
    const pipelineId = newId(IdPrefix.pipeline);
    const run = newRunRecord({
      pipelineId,
      status: options.status,
      snapshot: {
        pipelineId,
        stages: [],
        ...(options.runDays === undefined ? {} : { retention: { runDays: options.runDays } }),
      },
      createdAt: daysAgo(400),
      startedAt: daysAgo(400),
      endedAt: options.endedDaysAgo === null ? null : daysAgo(options.endedDaysAgo),
    });
    const jobRun = newJobRunRecord(run.id, {
      maxAttempts: 2,
      status: options.status === 'RUNNING' ? 'RUNNING' : 'SUCCESS',
      attempt: 2,
      reusedFrom: options.reusedFrom ?? null,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
    });
    await store.transaction(async (tx) => {
      await tx.insertRun(run);
      await tx.insertJobRuns([jobRun]);
      await tx.endAttempt(jobRun.id, 1, { ...jobRun, status: 'FAILED', failureClass: 'JOB', exitCode: 1 });
      await tx.insertArtifacts(jobRun.id, 2, [{ path: 'out.txt', sizeBytes: 5 }]);
      await tx.contexts.write(
        {
          kind: 'job',
          ownerId: jobRun.jobId,
          name: 'a',
          value: 'secret output',
          sizeBytes: 13,
          truncated: false,
          pipelineRunId: run.id,
          jobRunId: jobRun.id,
          startedAt: null,
          durationMs: null,
          exitCode: 0,
          status: 'SUCCESS',
          parts: [],
        },
        now,
      );
      await tx.outbox.append(
        run.id,
        [{ id: newId(IdPrefix.runEvent), encode: () => new Uint8Array([1, 2, 3]) }],
        now,
        0,
      );
    });
    await store.deadLetters.record({
      stream: 'FLUXI_EVENTS',
      subject: `fluxi.events.jobrun.${jobRun.id}`,
      streamSeq: Math.floor(Math.random() * 1e9),
      jobRunId: jobRun.id,
      error: 'poison',
      firstFailedAt: now,
      lastFailedAt: now,
      deliveries: 5,
    });
    mkdirSync(join(artifacts.dir, jobRun.id), { recursive: true });
    writeFileSync(join(artifacts.dir, jobRun.id, 'out.txt'), 'hello');
    return { runId: run.id, jobRunId: jobRun.id };
  }

  async function countOf(table: string, column: string, id: string): Promise<number> {
    const rows = await (engine.db as Database).query<{ n: string | number }>(
      `SELECT count(*) AS n FROM ${table} WHERE ${column} = $1`,
      [id],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async function exists(made: Made): Promise<Record<string, number | boolean>> {
    return {
      run: await countOf('pipeline_runs', 'id', made.runId),
      jobRuns: await countOf('job_runs', 'pipeline_run_id', made.runId),
      stages: await countOf('stage_runs', 'pipeline_run_id', made.runId),
      attempts: await countOf('job_run_attempts', 'job_run_id', made.jobRunId),
      artifacts: await countOf('artifacts', 'job_run_id', made.jobRunId),
      contexts: await countOf('contexts', 'pipeline_run_id', made.runId),
      deadLetters: await countOf('dead_letters', 'job_run_id', made.jobRunId),
      events: await countOf('run_events', 'pipeline_run_id', made.runId),
      eventCounter: await countOf('run_event_streams', 'pipeline_run_id', made.runId),
      folder: existsSync(join(artifacts.dir, made.jobRunId)),
    };
  }

  const all = { run: 1, jobRuns: 1, stages: 0, attempts: 1, artifacts: 1, contexts: 1, deadLetters: 1, events: 1 };
  const kept = { ...all, eventCounter: 1, folder: true };
  const gone = { run: 0, jobRuns: 0, stages: 0, attempts: 0, artifacts: 0, contexts: 0, deadLetters: 0, events: 0 };
  const deleted = { ...gone, eventCounter: 0, folder: false };

  it('deletes ended runs past their policy with all that is theirs, and keeps the others', async () => {
    const pastDefault = await makeRun({ status: 'SUCCESS', endedDaysAgo: 40 });
    const withinDefault = await makeRun({ status: 'FAILED', endedDaysAgo: 10 });
    const pastOwnPolicy = await makeRun({ status: 'CANCELLED', endedDaysAgo: 10, runDays: 5 });
    const withinOwnPolicy = await makeRun({ status: 'SUCCESS', endedDaysAgo: 100, runDays: 365 });
    const running = await makeRun({ status: 'RUNNING', endedDaysAgo: null });
    const reused = await makeRun({ status: 'SUCCESS', endedDaysAgo: 60 });
    const rerun = await makeRun({ status: 'SUCCESS', endedDaysAgo: 1, reusedFrom: reused.jobRunId });
    logLines.length = 0;

    const pass = await system().pass();

    expect(pass.runs).toBe(2);
    expect(await exists(pastDefault)).toEqual(deleted);
    expect(await exists(pastOwnPolicy)).toEqual(deleted);
    for (const made of [withinDefault, withinOwnPolicy, running, reused, rerun]) {
      expect(await exists(made)).toEqual(kept);
    }
    const logged = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const report = logged.find((line) => line['msg'] === 'run retention: deleted ended runs past their retention');
    expect(report).toMatchObject({ runs: 2, jobRuns: 2, attempts: 2, artifactFiles: 2, contexts: 2, deadLetters: 2 });
    expect([report?.['firstRunId'], report?.['lastRunId']].sort()).toEqual(
      [pastDefault.runId, pastOwnPolicy.runId].sort(),
    );
    expect(logLines.join('\n')).not.toContain('secret output');

    // Once the rerun that reuses it goes, the reused run goes at the next pass.
    await (engine.db as Database).query('UPDATE pipeline_runs SET ended_at = $2 WHERE id = $1', [
      rerun.runId,
      daysAgo(31),
    ]);
    expect((await system().pass()).runs).toBe(1);
    expect(await exists(rerun)).toEqual(deleted);
    expect((await system().pass()).runs).toBe(1);
    expect(await exists(reused)).toEqual(deleted);
    expect(await exists(running)).toEqual(kept);
  });

  it('deletes in batches, logging each', async () => {
    const made = [
      await makeRun({ status: 'SUCCESS', endedDaysAgo: 50 }),
      await makeRun({ status: 'SUCCESS', endedDaysAgo: 45 }),
      await makeRun({ status: 'FAILED', endedDaysAgo: 31 }),
    ];
    logLines.length = 0;
    expect((await system(2).pass()).runs).toBe(3);
    for (const run of made) expect(await exists(run)).toEqual(deleted);
    const reports = logLines.filter((line) => line.includes('run retention: deleted'));
    expect(reports.map((line) => (JSON.parse(line) as { runs: number }).runs)).toEqual([2, 1]);
  });

  it('prunes run events published long enough ago, never unsent ones', async () => {
    const store = engine.store as RunStore;
    const sent = await makeRun({ status: 'SUCCESS', endedDaysAgo: 1 });
    const unsent = await makeRun({ status: 'SUCCESS', endedDaysAgo: 1 });
    await (engine.db as Database).query('UPDATE run_event_streams SET sent_seq = last_seq WHERE pipeline_run_id = $1', [
      sent.runId,
    ]);
    expect((await system(100, DAY).pass()).prunedEvents).toBe(0);
    await (engine.db as Database).query("UPDATE run_events SET created_at = created_at - interval '2 days'");
    await system(100, DAY).pass();
    expect(await exists(sent)).toMatchObject({ run: 1, events: 0, eventCounter: 1 });
    expect(await exists(unsent)).toMatchObject({ run: 1, events: 1 });
    expect(await store.outbox.unsent()).toBeGreaterThanOrEqual(1);
  });
});
