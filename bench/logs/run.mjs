#!/usr/bin/env node
// bench/logs: one job printing LINES lines through the whole mesh (executor → JetStream → logs
// service → chDB/ClickHouse), against the raw insert rate of the same store measured in the same
// run (the same rows inserted straight into a copy of the log table, in batches of BATCH rows: chDB's
// raw TabSeparated insert, the fastest way in and the ratio's baseline, and the client's JSONEachRow).
// Prints lines/s stored, the ratio, and the time from the job's end until its last line is
// found by searchLogs, and how far the NATS store of log chunks grew.
// Usage: npm run bench:logs [-- --lines 1000000 --batch 100000]
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { createClient as createLiveClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql } from '../lib/gql.mjs';
import { describeStore, watchLogStream } from './store-watch.mjs';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '100000' } },
});
const LINES = Number(values.lines);
const BATCH = Number(values.batch);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The row of line `seq` as the log store keeps it (its job run's labels are kept once per run, apart). */
const rawRow = (seq, now) => ({
  job_run_id: 'JR-bench-raw',
  attempt: 1,
  seq,
  stream: 'STDOUT',
  level: 'NONE',
  text: `bench line ${seq}`,
  ts: now + Math.floor(seq / 1000),
  retention_days: 30,
});

/**
 * The same rows the job's lines become, inserted straight into a copy of the table in batches
 * of BATCH, two ways: chDB's raw TabSeparated insert (what the logs service uses: the fastest
 * way into the store, the baseline) and the client's JSONEachRow insert (the baseline when the
 * issue was filed); { tsvMs, jsonMs }.
 */
async function rawInsert(dataDir) {
  // In-process chDB shares one engine per folder: this connection reaches the logs service's store.
  const { createChdbConnection } = await import('chdb/connection');
  const connection = createChdbConnection({ path: join(dataDir, 'chdb') });
  const client = createClient({ connection });
  const columns = Object.keys(rawRow(1, 0));
  const timed = async (insert) => {
    await client.command({ query: 'CREATE TABLE bench_raw AS job_log_lines' });
    try {
      const now = Date.now();
      const started = performance.now();
      for (let from = 1; from <= LINES; from += BATCH) {
        const rows = [];
        for (let seq = from; seq < Math.min(from + BATCH, LINES + 1); seq += 1) rows.push(rawRow(seq, now));
        await insert(rows);
      }
      return performance.now() - started;
    } finally {
      await client.command({ query: 'DROP TABLE IF EXISTS bench_raw' }).catch(() => undefined);
    }
  };
  try {
    const tsvMs = await timed((rows) => {
      const body = rows
        .map((row) => columns.map((column) => (column === 'ts' ? (row.ts / 1000).toFixed(3) : row[column])).join('\t'))
        .join('\n');
      return connection.chdb.rawInsert({
        table: 'bench_raw',
        columns,
        format: 'TabSeparated',
        values: Buffer.from(`${body}\n`),
      });
    });
    const jsonMs = await timed((rows) => client.insert({ table: 'bench_raw', values: rows, format: 'JSONEachRow' }));
    return { tsvMs, jsonMs };
  } finally {
    await client.close();
  }
}

const TAIL_LINES = 1000;

/**
 * Live-tail latency: a job prints its clock (ns) once every ~10 ms; a client subscribed to
 * `jobRunLogs` over graphql-ws notes when each line arrives. Lines printed before the
 * subscription was acknowledged are left out (they come from the store, not live).
 */
async function liveTail(url, key) {
  const { createJob } = await gql(url, key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
    i: {
      name: 'print-clock',
      command: `i=0; while [ $i -lt ${TAIL_LINES} ]; do date +%s%N; sleep 0.01; i=$((i+1)); done`,
    },
  });
  const { triggerJob } = await gql(url, key, 'mutation($id: ID!) { triggerJob(id: $id) { id } }', {
    id: createJob.id,
  });
  let jobRunId;
  while (jobRunId === undefined) {
    const { pipelineRun } = await gql(url, key, 'query($id: ID!) { pipelineRun(id: $id) { jobRuns { id } } }', {
      id: triggerJob.id,
    });
    jobRunId = pipelineRun.jobRuns[0]?.id;
  }
  const client = createLiveClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
  });
  const latencies = [];
  let subscribedAtNs;
  await new Promise((resolve, reject) => {
    client.on('connected', () => (subscribedAtNs ??= BigInt(Date.now()) * 1_000_000n));
    client.subscribe(
      {
        query: `subscription($id: ID!) { jobRunLogs(jobRunId: $id) {
          __typename ... on LiveLogLine { stream text } } }`,
        variables: { id: jobRunId },
      },
      {
        next: ({ data }) => {
          const receivedNs = BigInt(Date.now()) * 1_000_000n;
          const event = data?.jobRunLogs;
          if (event?.__typename !== 'LiveLogLine' || event.stream !== 'STDOUT' || !/^\d+$/.test(event.text)) return;
          const printedNs = BigInt(event.text);
          if (subscribedAtNs !== undefined && printedNs > subscribedAtNs) {
            latencies.push(Number(receivedNs - printedNs) / 1e6);
          }
        },
        error: reject,
        complete: resolve,
      },
    );
  });
  await client.dispose();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { count: latencies.length, p50: at(0.5), p99: at(0.99) };
}

const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-logs-'));
const config = loadConfig({
  env: process.env,
  flags: { dataDir, 'gateway.port': 0, 'log.console': false },
});
const system = await startFluxi(config, createLogger({ level: 'warn', console: false }));
try {
  const { url, adminKey: key } = system;
  const store = await watchLogStream(system.natsUrl);
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
  // Stored chunks leave the stream a second after their insert: a few seconds to see it shrink back.
  const storeGrowth = await store.stop(5000);
  const raw = await rawInsert(dataDir);

  const storedMs = storedAt - started;
  const rate = (LINES / storedMs) * 1000;
  const rawRate = (LINES / raw.tsvMs) * 1000;
  const jsonRate = (LINES / raw.jsonMs) * 1000;
  console.log(`bench/logs: one job printing ${LINES} lines (${system.services.length} services, chDB in-process)`);
  console.log(`  job run (trigger → SUCCESS):     ${(jobEnded - started).toFixed(0)} ms`);
  console.log(
    `  stored through Fluxi:            ${storedMs.toFixed(0)} ms (${rate.toFixed(0)} lines/s, trigger → all stored)`,
  );
  console.log(
    `  raw insert, same store:          ${raw.tsvMs.toFixed(0)} ms (${rawRate.toFixed(0)} lines/s, TabSeparated, batches of ${BATCH})`,
  );
  console.log(
    `  raw insert, client JSONEachRow:  ${raw.jsonMs.toFixed(0)} ms (${jsonRate.toFixed(0)} lines/s; the baseline when issue 14 was filed)`,
  );
  console.log(
    `  ratio raw/through: ${(rawRate / rate).toFixed(2)}x (against the TabSeparated raw insert; goal: 200k lines/s stored)`,
  );
  console.log(`  ${describeStore(storeGrowth)}`);
  console.log(`  last line searchable after job end: ${(searchableAt - jobEnded).toFixed(0)} ms (polled every 100 ms)`);
  const tail = await liveTail(url, key);
  console.log(
    `  live-tail latency (printed → received over graphql-ws, ${tail.count} lines): p50 ${tail.p50.toFixed(1)} ms, p99 ${tail.p99.toFixed(1)} ms`,
  );
} finally {
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
