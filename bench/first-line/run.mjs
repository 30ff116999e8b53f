#!/usr/bin/env node
// bench/first-line: trigger → first log line of a single `echo` job, SAMPLES times one after another:
// from the trigger call (GraphQL triggerJob) to the first line arriving on the job run's SSE log
// stream (GET /api/v1/job-runs/{id}/logs/stream, opened once the trigger answered). Baseline in the
// same run: spawning the same `echo` and reading its first line, in a small child process.
// Prints p50 and p99 of both and their ratios.
// Usage: npm run bench:first-line [-- --samples 50 --warmup 3]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { measureApart, percentile } from '../lib/apart.mjs';
import { gql } from '../lib/gql.mjs';
import { startMesh } from '../lib/mesh.mjs';
import { sse } from '../lib/sse.mjs';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    'baseline-only': { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(values.samples);
const WARMUP = Number(values.warmup);
const COMMAND = 'echo first-line';

/** Baseline: spawn the command, ms until its first line is read; then wait for its end. */
async function spawnToFirstLine() {
  const started = performance.now();
  let first;
  await new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', COMMAND], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => {
      if (first === undefined && chunk.includes(10)) first = performance.now() - started;
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', resolve);
  });
  return first;
}

if (values['baseline-only']) {
  const ms = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) ms.push(await spawnToFirstLine());
  process.send({ ms: ms.slice(WARMUP) });
  process.exit(0);
}

/** One sample through Fluxi: { first, trigger } ms (first line; the trigger call alone). */
async function triggerToFirstLine(url, key, jobId) {
  const started = performance.now();
  const { triggerJob } = await gql(url, key, 'mutation($id: ID!) { triggerJob(id: $id) { jobRuns { id } } }', {
    id: jobId,
  });
  const trigger = performance.now() - started;
  const jobRunId = triggerJob.jobRuns[0].id;
  let first;
  let end;
  for await (const frame of sse(`${url}/api/v1/job-runs/${jobRunId}/logs/stream`, key)) {
    if (frame.event === 'line' && first === undefined) first = performance.now() - started;
    else if (frame.event === 'end') end = frame.data;
    else if (frame.event === 'error') throw new Error(JSON.stringify(frame.data));
  }
  if (first === undefined) throw new Error(`job run ${jobRunId} ended without a line: ${JSON.stringify(end)}`);
  return { first, trigger };
}

const mesh = await startMesh();
const through = [];
const triggers = [];
const follows = [];
let direct = [];
try {
  const { createJob } = await gql(mesh.url, mesh.key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
    i: { name: 'first-line', command: COMMAND },
  });
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const sample = await triggerToFirstLine(mesh.url, mesh.key, createJob.id);
    if (i < WARMUP) continue;
    through.push(sample.first);
    triggers.push(sample.trigger);
    follows.push(sample.first - sample.trigger);
  }
  // The baseline while the mesh still runs (idle), as bench/dispatch does.
  ({ ms: direct } = await measureApart(process.argv[1], ['--baseline-only', ...process.argv.slice(2)]));
} finally {
  await mesh.stop();
}
const p = (values, q) => percentile(values, q);
console.log(
  `bench/first-line: trigger → first log line of \`${COMMAND}\`, ${SAMPLES} samples (after ${WARMUP} not counted)`,
);
console.log(`  direct spawn → first line: p50 ${p(direct, 50).toFixed(1)} ms, p99 ${p(direct, 99).toFixed(1)} ms`);
console.log(
  `  through Fluxi (SSE log stream): p50 ${p(through, 50).toFixed(1)} ms, p99 ${p(through, 99).toFixed(1)} ms (goal p50 ≤ 15 ms, p99 ≤ 40 ms)`,
);
console.log(
  `    of which the trigger call: p50 ${p(triggers, 50).toFixed(1)} ms, p99 ${p(triggers, 99).toFixed(1)} ms`,
);
console.log(
  `    trigger answered → first line (the log stream's start): p50 ${p(follows, 50).toFixed(1)} ms, p99 ${p(follows, 99).toFixed(1)} ms`,
);
console.log(
  `  ratio: p50 ${(p(through, 50) / p(direct, 50)).toFixed(1)}x, p99 ${(p(through, 99) / p(direct, 99)).toFixed(1)}x`,
);
