#!/usr/bin/env node
// bench/first-line: trigger → first log line of a single `echo` job, SAMPLES times one after another:
// from the trigger call (GraphQL triggerJob) to the first line arriving on the job run's SSE log
// stream (GET /api/v1/job-runs/{id}/logs/stream, opened once the trigger answered). Baseline in the
// same run: spawning the same `echo` and reading its first line, in a small child process.
// The samples are taken twice: by a client in this process (the one Fluxi runs in, as the other
// benches do; its HTTP and SSE work shares Fluxi's thread) and by a client in a process of its own,
// as a user's CLI or browser is; they take turns of 10 samples. Prints p50 and p99 of each and
// their ratios to the baseline, and Fluxi's CPU per sample while the client in its own process
// took them (Fluxi's process only; the executor process apart).
// --profile FILE: a CPU profile of this process (gateway, catalog, scheduler, logs) over the last
// turn of in-process samples, written as FILE (Chrome DevTools or `node bench/lib/profile-top.mjs FILE`).
// Usage: npm run bench:first-line [-- --samples 50 --warmup 3]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { measureApart, percentile } from '../lib/apart.mjs';
import { gql } from '../lib/gql.mjs';
import { startMesh } from '../lib/mesh.mjs';
import { profiled } from '../lib/profile.mjs';
import { sse } from '../lib/sse.mjs';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    'baseline-only': { type: 'boolean', default: false },
    profile: { type: 'string' },
    // Internal: take the samples against a running Fluxi (url, key, job id) and send them back.
    'client-only': { type: 'string' },
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

/** Samples per turn: the two clients take turns, so that neither has the warmer Fluxi. */
const TURN = 10;

/** `count` samples one after another, after `warmup` not kept. */
async function takeSamples(url, key, jobId, count, warmup) {
  const taken = { through: [], triggers: [], follows: [] };
  for (let i = 0; i < warmup + count; i++) {
    const sample = await triggerToFirstLine(url, key, jobId);
    if (i < warmup) continue;
    taken.through.push(sample.first);
    taken.triggers.push(sample.trigger);
    taken.follows.push(sample.first - sample.trigger);
  }
  return taken;
}

if (values['client-only'] !== undefined) {
  const [url, key, jobId, count, warmup] = JSON.parse(values['client-only']);
  process.send(await takeSamples(url, key, jobId, count, warmup));
  process.exit(0);
}

const mesh = await startMesh();
const here = { through: [], triggers: [], follows: [] };
const apart = { through: [], triggers: [], follows: [] };
const add = (into, taken) => Object.keys(into).forEach((name) => into[name].push(...taken[name]));
let direct = [];
const apartCpu = { ms: 0, samples: 0 };
try {
  const { createJob } = await gql(mesh.url, mesh.key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
    i: { name: 'first-line', command: COMMAND },
  });
  for (let turn = 0; here.through.length < SAMPLES; turn++) {
    const count = Math.min(TURN, SAMPLES - here.through.length);
    const warmup = turn === 0 ? WARMUP : 0;
    const take = () => takeSamples(mesh.url, mesh.key, createJob.id, count, warmup);
    const last = here.through.length + count >= SAMPLES;
    add(here, values.profile && last ? await profiled(values.profile, take) : await take());
    const args = JSON.stringify([mesh.url, mesh.key, createJob.id, count, warmup]);
    // Fluxi's CPU while the client runs elsewhere: the steadier figure on a noisy machine.
    const cpuBefore = process.cpuUsage();
    add(apart, await measureApart(process.argv[1], ['--client-only', args, ...process.argv.slice(2)]));
    const cpu = process.cpuUsage(cpuBefore);
    apartCpu.ms += (cpu.user + cpu.system) / 1000;
    apartCpu.samples += count + warmup;
  }
  // The baseline while the mesh still runs (idle), as bench/dispatch does.
  ({ ms: direct } = await measureApart(process.argv[1], ['--baseline-only', ...process.argv.slice(2)]));
} finally {
  await mesh.stop();
}
const p = (values, q) => percentile(values, q);
const ms = (values) => `p50 ${p(values, 50).toFixed(1)} ms, p99 ${p(values, 99).toFixed(1)} ms`;
console.log(
  `bench/first-line: trigger → first log line of \`${COMMAND}\`, ${SAMPLES} samples (after ${WARMUP} not counted)`,
);
console.log(`  direct spawn → first line: ${ms(direct)}`);
for (const [where, samples] of [
  ['client in the process Fluxi runs in', here],
  ['client in a process of its own', apart],
]) {
  console.log(`  through Fluxi (SSE log stream), ${where}: ${ms(samples.through)} (goal p50 ≤ 15 ms, p99 ≤ 40 ms)`);
  console.log(`    of which the trigger call: ${ms(samples.triggers)}`);
  console.log(`    trigger answered → first line (the log stream's start): ${ms(samples.follows)}`);
  console.log(
    `    ratio: p50 ${(p(samples.through, 50) / p(direct, 50)).toFixed(1)}x, p99 ${(p(samples.through, 99) / p(direct, 99)).toFixed(1)}x`,
  );
}
console.log(
  `  Fluxi process CPU per sample (gateway, catalog, scheduler, logs; client in its own process): ${(apartCpu.ms / apartCpu.samples).toFixed(1)} ms`,
);
