#!/usr/bin/env node
// bench/schedules: schedules firing every second, how late each fire is (fired time minus planned
// time, p50/p99) and the missed and double counts (must be 0/0), in two parts:
//  1. the scheduler's fire loop (book of next times, missed-fire plans, history written to a real
//     database, the loop's timers) with 1,000 schedules for a minute, the trigger answering at once;
//  2. through Fluxi (`all` mode: catalog → NATS KV → scheduler → the one trigger → a run per fire,
//     created and queued in BullMQ; the job's pool has no executor), --mesh-schedules of them.
// Baseline, measured in the same run: a bare timer loop waking at each second (what this machine's
// timers alone cost). DATABASE_URL (PostgreSQL) is used when set, else PGlite.
// Usage: npm run bench:schedules [-- --schedules 1000 --seconds 60 --mesh-schedules 100]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { migrate, openDatabase } from '@fluxi/db';
import { gql } from '../lib/gql.mjs';
// The scheduler's own parts (a benchmark may reach into a service's build; services may not).
import { ScheduleBook } from '../../services/scheduler/dist/domain/schedule-book.js';
import { scheduleSpec } from '../../services/scheduler/dist/domain/schedule-spec.js';
import { ScheduleFireSystem } from '../../services/scheduler/dist/engine/systems/schedules.js';
import { startScheduleLoop } from '../../services/scheduler/dist/engine/systems/schedule-loop.js';
import { migrations } from '../../services/scheduler/dist/store/migrations.js';
import { ScheduleHistoryStore } from '../../services/scheduler/dist/store/schedule-history.js';

const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    'mesh-schedules': { type: 'string', default: '100' },
  },
});
const LOOP_SCHEDULES = Number(values.schedules);
const SCHEDULES = Number(values['mesh-schedules']);
const SECONDS = Number(values.seconds);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Baseline: one timer per second boundary, SCHEDULES "fires" each, lateness of each. */
async function baseline() {
  const late = [];
  const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  for (let s = 0; s < Math.min(SECONDS, 10); s++) {
    const planned = start + s * 1000;
    await sleep(Math.max(0, planned - Date.now()));
    for (let i = 0; i < LOOP_SCHEDULES; i++) late.push(Date.now() - planned);
  }
  return late.sort((a, b) => a - b);
}

/** fluxi.yaml with SCHEDULES jobs, pipelines and per-second schedules. */
function definitions() {
  const lines = ['version: 1', 'jobs:'];
  for (let i = 0; i < SCHEDULES; i++) lines.push(`  j${i}: { command: "true", pool: bench-idle }`);
  lines.push('pipelines:');
  for (let i = 0; i < SCHEDULES; i++) lines.push(`  p${i}: { stages: [{ name: s, jobs: [{ job: j${i} }] }] }`);
  lines.push('schedules:');
  for (let i = 0; i < SCHEDULES; i++) lines.push(`  s${i}: { pipeline: p${i}, cron: "* * * * * *" }`);
  return lines.join('\n');
}

async function history(url, key, id) {
  const fires = [];
  let after = null;
  for (;;) {
    const { schedule } = await gql(
      url,
      key,
      'query($id: ID!, $after: String) { schedule(id: $id) { history(first: 200, after: $after) { nodes { plannedAt lateMs status runs { pipelineRunId created } } endCursor hasNextPage } } }',
      { id, after },
    );
    fires.push(...schedule.history.nodes);
    if (!schedule.history.hasNextPage) return fires;
    after = schedule.history.endCursor;
  }
}

async function mesh() {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-schedules-'));
  const config = loadConfig({
    env: process.env,
    flags: { dataDir, 'gateway.port': 0, 'log.console': false },
  });
  const logDir = process.env.BENCH_LOG_DIR;
  const system = await startFluxi(
    config,
    createLogger({ level: logDir ? 'info' : 'warn', console: false, dir: logDir }),
  );
  try {
    const { url, adminKey: key } = system;
    const imported = performance.now();
    await gql(url, key, 'mutation($y: String!) { importDefinitions(yaml: $y) { changes { name } } }', {
      y: definitions(),
    });
    const importMs = performance.now() - imported;
    const { schedules } = await gql(url, key, '{ schedules { id name } pipelines { id name } }');
    // A whole-second window starting once every schedule is surely known to the scheduler.
    const from = Math.ceil(Date.now() / 1000) * 1000 + 5000;
    const through = from + (SECONDS - 1) * 1000;
    await sleep(through - Date.now() + 5000);
    const late = [];
    let missed = 0;
    let double = 0;
    let skipped = 0;
    const runIds = new Set();
    for (const schedule of schedules) {
      const fires = (await history(url, key, schedule.id)).filter((f) => {
        const t = Date.parse(f.plannedAt);
        return t >= from && t <= through;
      });
      const planned = new Set(fires.map((f) => f.plannedAt));
      missed += SECONDS - fires.filter((f) => f.status === 'FIRED').length;
      double += fires.length - planned.size;
      skipped += fires.filter((f) => f.status === 'SKIPPED').length;
      for (const f of fires) {
        if (f.lateMs !== null) late.push(f.lateMs);
        for (const run of f.runs) {
          if (run.pipelineRunId === null) continue;
          if (runIds.has(run.pipelineRunId) || run.created === false) double += 1;
          runIds.add(run.pipelineRunId);
        }
      }
    }
    return { late: late.sort((a, b) => a - b), missed, double, skipped, runs: runIds.size, importMs };
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Part 1: the fire loop with LOOP_SCHEDULES per-second schedules, the trigger answering at once. */
async function fireLoop() {
  const dir = mkdtempSync(join(tmpdir(), 'fluxi-bench-loop-'));
  const db = await openDatabase({ url: process.env.DATABASE_URL, embeddedDir: join(dir, 'db'), schema: 'bench_loop' });
  try {
    await migrate(db, migrations);
    const book = new ScheduleBook();
    const start = Date.now();
    for (let i = 0; i < LOOP_SCHEDULES; i++) {
      book.put(
        scheduleSpec({
          id: `S${i}`,
          name: `s${i}`,
          cron: '* * * * * *',
          atMs: 0,
          timezone: 'UTC',
          targets: [{ kind: 'pipeline', id: `P${i}` }],
          overlap: 'ALLOW',
          missedFires: 'RUN_ONCE',
          activeSinceMs: start,
        }),
      );
    }
    const keys = new Map();
    const late = [];
    const from = Math.ceil(start / 1000) * 1000 + 2000;
    const through = from + (SECONDS - 1) * 1000;
    let runs = 0;
    const trigger = {
      async trigger(_target, fire) {
        const t = fire.planned.getTime();
        if (t >= from && t <= through) late.push(Date.now() - t);
        keys.set(fire.key, (keys.get(fire.key) ?? 0) + 1);
        runs += 1;
        return { runId: `R${runs}`, number: runs, created: true };
      },
    };
    const logger = createLogger({ level: 'warn', console: false });
    const system = new ScheduleFireSystem(book, trigger, new ScheduleHistoryStore(db), logger, () => new Date(), {
      graceMs: 60_000,
      maxCatchUp: 100,
      concurrency: 32,
    });
    const loop = startScheduleLoop(system, book, () => true, { intervalMs: 1000, logger });
    await sleep(through - Date.now() + 1500);
    await loop.stop();
    let missed = 0;
    for (let i = 0; i < LOOP_SCHEDULES; i++) {
      for (let t = from; t <= through; t += 1000) {
        if (!keys.has(`schedule:S${i}:${new Date(t).toISOString()}:P${i}`)) missed += 1;
      }
    }
    const double = [...keys.values()].filter((n) => n > 1).length;
    return { late: late.sort((a, b) => a - b), missed, double };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const timers = await baseline();
const loop = await fireLoop();
const fluxi = await mesh();
const b50 = Math.max(1, percentile(timers, 50));
const b99 = Math.max(1, percentile(timers, 99));
const line = (late) =>
  `late p50 ${percentile(late, 50)} ms, p99 ${percentile(late, 99)} ms, max ${late[late.length - 1]} ms ` +
  `(${(Math.max(1, percentile(late, 50)) / b50).toFixed(1)}x / ${(Math.max(1, percentile(late, 99)) / b99).toFixed(1)}x the bare loop)`;
console.log(
  `bench/schedules: every second for ${SECONDS} s; database ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
);
console.log(
  `  bare timer loop (${LOOP_SCHEDULES} per second): late p50 ${percentile(timers, 50)} ms, p99 ${percentile(timers, 99)} ms`,
);
console.log(`  fire loop, ${LOOP_SCHEDULES} schedules (${LOOP_SCHEDULES * SECONDS} fires): ${line(loop.late)}`);
console.log(`    missed ${loop.missed}, double ${loop.double} (goal 0/0)`);
console.log(
  `  through Fluxi, ${SCHEDULES} schedules (${SCHEDULES * SECONDS} runs; import ${fluxi.importMs.toFixed(0)} ms): ${line(fluxi.late)}`,
);
console.log(
  `    fires ${fluxi.late.length}, runs ${fluxi.runs}, missed ${fluxi.missed}, double ${fluxi.double} (goal 0/0), skipped ${fluxi.skipped}`,
);
if (loop.missed + loop.double + fluxi.missed + fluxi.double !== 0) process.exitCode = 1;
