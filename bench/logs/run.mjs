#!/usr/bin/env node
// bench/logs: one job printing LINES lines through the whole mesh (executor → JetStream → logs
// service → chDB/ClickHouse), against the raw insert rate of the same store measured in the same
// run (the same rows inserted straight into a copy of the log table, in batches of BATCH rows).
// Prints lines/s stored, the ratio, and the time from the job's end until its last line is
// found by searchLogs.
// Usage: npm run bench:logs [-- --lines 1000000 --batch 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { gql } from '../lib/gql.mjs';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '100000' } },
});
const LINES = Number(values.lines);
const BATCH = Number(values.batch);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same rows the job's lines become, inserted straight into a copy of the table; ms. */
async function rawInsert(dataDir) {
  // In-process chDB shares one engine per folder: this client reaches the logs service's store.
  const { createChdbConnection } = await import('chdb/connection');
  const client = createClient({ connection: createChdbConnection({ path: join(dataDir, 'chdb') }) });
  try {
    await client.command({ query: 'CREATE TABLE bench_raw AS job_log_lines' });
    const now = Date.now();
    const started = performance.now();
    for (let from = 1; from <= LINES; from += BATCH) {
      const values = [];
      for (let seq = from; seq < Math.min(from + BATCH, LINES + 1); seq += 1) {
        values.push({
          job_run_id: 'JR-bench-raw',
          attempt: 1,
          seq,
          pipeline_run_id: 'R-bench-raw',
          pipeline_id: '',
          job_id: 'J-bench',
          job_name: 'print-lines',
          stream: 'STDOUT',
          level: 'NONE',
          text: `bench line ${seq}`,
          ts: now + Math.floor(seq / 1000),
          retention_days: 30,
        });
      }
      await client.insert({ table: 'bench_raw', values, format: 'JSONEachRow' });
    }
    return performance.now() - started;
  } finally {
    await client.command({ query: 'DROP TABLE IF EXISTS bench_raw' }).catch(() => undefined);
    await client.close();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-logs-'));
const config = loadConfig({
  env: process.env,
  flags: { dataDir, 'gateway.port': 0, 'log.console': false },
});
const system = await startFluxi(config, createLogger({ level: 'warn', console: false }));
try {
  const { url, adminKey: key } = system;
  const { createJob } = await gql(url, key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
    i: { name: 'print-lines', command: `seq 1 ${LINES} | awk '{ print "bench line " $1 }'`, timeoutSec: 3600 },
  });
  const started = performance.now();
  const { triggerJob } = await gql(url, key, 'mutation($id: ID!) { triggerJob(id: $id) { id } }', {
    id: createJob.id,
  });
  const run = async () =>
    (
      await gql(url, key, 'query($id: ID!) { pipelineRun(id: $id) { status jobRuns { id startedAt endedAt } } }', {
        id: triggerJob.id,
      })
    ).pipelineRun;
  let current = await run();
  while (!['SUCCESS', 'FAILED', 'CANCELLED'].includes(current.status)) {
    await sleep(200);
    current = await run();
  }
  const jobEnded = performance.now();
  if (current.status !== 'SUCCESS') throw new Error(`the job ended ${current.status}`);
  const jobRunId = current.jobRuns[0].id;

  // The time until the last printed line is found by a search.
  let searchableAt;
  for (;;) {
    const { searchLogs } = await gql(
      url,
      key,
      'query($q: String, $f: LogSearchFilter) { searchLogs(query: $q, filter: $f, context: 0, first: 1) { hits { seq } } }',
      { q: `"bench line ${LINES}"`, f: { jobRunId } },
    );
    if (searchLogs.hits.length > 0) {
      searchableAt = performance.now();
      break;
    }
    await sleep(100);
  }
  // Every line stored (the job's, plus its SYSTEM line about the cut context).
  for (;;) {
    const { jobRunLogs } = await gql(
      url,
      key,
      'query($id: ID!) { jobRunLogs(jobRunId: $id, first: 0) { totalCount } }',
      {
        id: jobRunId,
      },
    );
    if (jobRunLogs.totalCount >= LINES) break;
    await sleep(200);
  }
  const storedAt = performance.now();
  const raw = await rawInsert(dataDir);

  const storedMs = storedAt - started;
  const rate = (LINES / storedMs) * 1000;
  const rawRate = (LINES / raw) * 1000;
  console.log(`bench/logs: one job printing ${LINES} lines (${system.services.length} services, chDB in-process)`);
  console.log(`  job run (trigger → SUCCESS):     ${(jobEnded - started).toFixed(0)} ms`);
  console.log(
    `  stored through Fluxi:            ${storedMs.toFixed(0)} ms (${rate.toFixed(0)} lines/s, trigger → all stored)`,
  );
  console.log(
    `  raw insert, same store:          ${raw.toFixed(0)} ms (${rawRate.toFixed(0)} lines/s, batches of ${BATCH})`,
  );
  console.log(`  ratio raw/through: ${(rawRate / rate).toFixed(2)}x`);
  console.log(`  last line searchable after job end: ${(searchableAt - jobEnded).toFixed(0)} ms (polled every 100 ms)`);
  // Live-tail latency (line printed → received by a subscribed client, p50/p99) belongs here:
  // it is measured through the gateway's live subscription, added with that feature.
  console.log('  live-tail latency p50/p99: not measured yet (gateway live subscriptions)');
} finally {
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
