#!/usr/bin/env node
// bench/memory: resident memory of an idle `npm start` (node apps/server/dist/bin.js with a temp
// data dir, a free port, local nats-server and redis-server) summed over its process tree (the
// launcher, the executor process, nats-server, redis-server, the exit guards), after start and
// after JOBS jobs (bench/dispatch's shape: `echo n` jobs in pipelines of 10, concurrency 4), each
// read SETTLE seconds after the work, and once more LATER seconds after the jobs: V8's memory
// reducer collects the garbage of the work ~20 s after it stops, not at 15 s. Prints MB per
// process, the totals and the ratio to the goal.
// The server gets MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_=131072 and
// --max-semi-space-size=4 as `npm start` and the Docker image give them (unless set: e.g.
// MALLOC_ARENA_MAX=16 measures glibc's default, 8 per core, on a 2-core machine).
// Linux only (/proc). Usage: npm run bench:memory [-- --pipelines 100 --settle 15 --later 60]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gql } from '../lib/gql.mjs';
import { treeMemory } from './proc-tree.mjs';

const { values } = parseArgs({
  options: {
    pipelines: { type: 'string', default: '100' },
    jobs: { type: 'string', default: '10' },
    settle: { type: 'string', default: '15' },
    later: { type: 'string', default: '60' },
  },
});
const PIPELINES = Number(values.pipelines);
const JOBS = Number(values.jobs);
const SETTLE_MS = Number(values.settle) * 1000;
const LATER_MS = Number(values.later) * 1000;
const GOAL_MB = 600;
const BIN = fileURLToPath(new URL('../../apps/server/dist/bin.js', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => bytes / 1024 / 1024;

/** Starts fluxi-server as a user does; resolves once it printed its URL and key. */
async function startServer(dataDir) {
  const args = [BIN, '--data-dir', dataDir, '--port', '0', '--silent', '--set', 'executor.concurrency=4'];
  // As `npm start` (and the Docker image) run it: two glibc malloc arenas unless MALLOC_ARENA_MAX is set.
  const env = {
    ...process.env,
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? '131072',
  };
  // And with V8's young generation as they size it.
  const child = spawn(process.execPath, ['--max-semi-space-size=4', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const started = performance.now();
  while (!out.includes('Press Ctrl-C')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`fluxi-server exited: ${out}`);
    await sleep(100);
  }
  const url = /GraphQL: (\S+)\/graphql/.exec(out)?.[1];
  const key = /\n\s+(fluxi_\S+)/.exec(out)?.[1];
  return { child, exited, url, key, startMs: performance.now() - started };
}

/** JOBS jobs, PIPELINES pipelines of all of them; triggers every pipeline and waits for every run. */
async function runJobs(url, key) {
  const entries = [];
  for (let j = 0; j < JOBS; j++) {
    const { createJob } = await gql(url, key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
      i: { name: `echo-${j}`, command: `echo ${j}` },
    });
    entries.push({ jobId: createJob.id });
  }
  const runIds = [];
  for (let p = 0; p < PIPELINES; p++) {
    const { createPipeline } = await gql(
      url,
      key,
      'mutation($i: PipelineInput!) { createPipeline(input: $i) { id } }',
      {
        i: { name: `bench-${p}`, stages: [{ name: 'run', entries }] },
      },
    );
    const { triggerPipeline } = await gql(url, key, 'mutation($id: ID!) { triggerPipeline(id: $id) { id } }', {
      id: createPipeline.id,
    });
    runIds.push(triggerPipeline.id);
  }
  for (const id of runIds) {
    for (;;) {
      const { pipelineRun } = await gql(url, key, 'query($id: ID!) { pipelineRun(id: $id) { status } }', { id });
      if (pipelineRun.status === 'SUCCESS') break;
      if (['FAILED', 'CANCELLED'].includes(pipelineRun.status)) throw new Error(`run ${id} ${pipelineRun.status}`);
      await sleep(500);
    }
  }
}

function print(what, processes) {
  console.log(`  ${what}:`);
  for (const p of processes)
    console.log(
      `    ${p.name.padEnd(52)} pid ${String(p.pid).padEnd(8)} RSS ${mb(p.rss).toFixed(0).padStart(5)} MB  PSS ${mb(p.pss).toFixed(0).padStart(5)} MB`,
    );
  const rss = mb(processes.reduce((sum, p) => sum + p.rss, 0));
  const pss = mb(processes.reduce((sum, p) => sum + p.pss, 0));
  console.log(
    `    total: RSS ${rss.toFixed(0)} MB (${(rss / GOAL_MB).toFixed(2)}x the ${GOAL_MB} MB goal), PSS ${pss.toFixed(0)} MB`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-memory-'));
let server;
try {
  server = await startServer(dataDir);
  console.log(
    `bench/memory: fluxi-server (${BIN}), ready in ${(server.startMs / 1000).toFixed(1)} s; each figure ${SETTLE_MS / 1000} s after the work`,
  );
  await sleep(SETTLE_MS);
  print('idle after start', treeMemory(server.child.pid));
  const started = performance.now();
  await runJobs(server.url, server.key);
  console.log(
    `  ${PIPELINES * JOBS} jobs in ${PIPELINES} pipelines ran in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  await sleep(SETTLE_MS);
  print(`idle ${SETTLE_MS / 1000} s after ${PIPELINES * JOBS} jobs`, treeMemory(server.child.pid));
  if (LATER_MS > SETTLE_MS) {
    await sleep(LATER_MS - SETTLE_MS);
    print(`idle ${LATER_MS / 1000} s after ${PIPELINES * JOBS} jobs`, treeMemory(server.child.pid));
  }
} finally {
  if (server) {
    server.child.kill('SIGINT');
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
