#!/usr/bin/env node
// bench/chain: a pipeline of STAGES stages with one `sleep 0.01` job each (every job waits for the
// one before) through the whole mesh, against the same STAGES commands spawned one after another in
// a small child process, in the same run. Prints the time per step beyond the command itself:
// (Fluxi − direct) / STAGES, and the ratio. The run's end is read from its run events (SSE
// /api/v1/pipeline-runs/{id}/events), which also give where a step's time goes (see breakdown.mjs).
// Usage: npm run bench:chain [-- --stages 40 --rounds 1]
// --rounds N: the mesh is started and the pipeline created once, then N rounds alternate the
// baseline and a run; each round's figures and the medians are printed.
// --no-fast-path: the scheduler enqueues every next job itself (`scheduler.fastPath: false`), the
// path before the executor enqueued a chain's next job.
// --profile FILE: a CPU profile of this process (gateway, catalog, scheduler, logs) over the last
// round's run, written as FILE (open it in Chrome DevTools or `node bench/lib/profile-top.mjs FILE`).
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { measureApart, median } from '../lib/apart.mjs';
import { gql } from '../lib/gql.mjs';
import { profiled } from '../lib/profile.mjs';
import { startMesh } from '../lib/mesh.mjs';
import { sse } from '../lib/sse.mjs';
import { printBreakdown, stepBreakdown } from './breakdown.mjs';
import { queueTimes } from './queue-times.mjs';

const { values } = parseArgs({
  options: {
    stages: { type: 'string', default: '40' },
    command: { type: 'string', default: 'sleep 0.01' },
    rounds: { type: 'string', default: '1' },
    profile: { type: 'string' },
    'baseline-only': { type: 'boolean', default: false },
    'no-fast-path': { type: 'boolean', default: false },
  },
});
const STAGES = Number(values.stages);
const COMMAND = values.command;
const ROUNDS = Math.max(1, Number(values.rounds));

/** Baseline: the same commands, spawned one after another, each waited for; ms. */
async function baseline() {
  const started = performance.now();
  for (let i = 0; i < STAGES; i++) {
    await new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', COMMAND], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.resume();
      child.stderr.resume();
      child.on('error', reject);
      child.on('close', resolve);
    });
  }
  return performance.now() - started;
}

if (values['baseline-only']) {
  process.send({ ms: await baseline() });
  process.exit(0);
}

/** Creates the chain: one job, STAGES entries, stage i+1 after stage i. */
async function createChain(url, key) {
  const { createJob } = await gql(url, key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
    i: { name: 'chain-step', command: COMMAND },
  });
  const stages = Array.from({ length: STAGES }, (_, i) => ({
    name: `s${String(i + 1).padStart(2, '0')}`,
    entries: [{ jobId: createJob.id, name: `step-${String(i + 1).padStart(2, '0')}` }],
  }));
  const { createPipeline } = await gql(url, key, 'mutation($i: PipelineInput!) { createPipeline(input: $i) { id } }', {
    i: { name: 'bench-chain', stages },
  });
  return createPipeline.id;
}

/** Triggers the chain and follows its run events to the end: { ms, events }. */
async function runChain(url, key, pipelineId) {
  const started = performance.now();
  const { triggerPipeline } = await gql(url, key, 'mutation($id: ID!) { triggerPipeline(id: $id) { id } }', {
    id: pipelineId,
  });
  const events = [];
  // The run's first events reach the stream just after the trigger's commit: until then, 404.
  for (let tries = 0; ; tries++) {
    try {
      for await (const frame of sse(`${url}/api/v1/pipeline-runs/${triggerPipeline.id}/events`, key)) {
        if (frame.event === 'run-event') events.push(frame.data);
        else if (frame.event === 'error') throw new Error(JSON.stringify(frame.data));
      }
      break;
    } catch (error) {
      if (error.status !== 404 || tries > 200 || events.length > 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const ms = performance.now() - started;
  const last = events.at(-1);
  if (last?.run?.status !== 'SUCCESS')
    throw new Error(`the chain ended ${last?.run?.status ?? 'without its end event'}`);
  return { ms, events };
}

const mesh = await startMesh({ flags: values['no-fast-path'] ? { 'scheduler.fastPath': false } : {} });
const rounds = [];
let lastEvents = [];
let lastQueued = new Map();
try {
  const pipelineId = await createChain(mesh.url, mesh.key);
  for (let round = 1; round <= ROUNDS; round++) {
    const { ms: direct } = await measureApart(process.argv[1], ['--baseline-only', ...process.argv.slice(2)]);
    const cpuBefore = process.cpuUsage();
    const chain = () => runChain(mesh.url, mesh.key, pipelineId);
    const { ms: through, events } =
      values.profile && round === ROUNDS ? await profiled(values.profile, chain) : await chain();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    lastEvents = events;
    if (round === ROUNDS) {
      const ids = new Set(events.filter((e) => e.jobRun).map((e) => e.jobRun.jobRunId));
      lastQueued = await queueTimes(mesh.redisUrl, [...ids]);
    }
    rounds.push({ direct, through, cpuMs });
    if (ROUNDS > 1)
      console.log(
        `  round ${round}: direct ${direct.toFixed(0)} ms, Fluxi ${through.toFixed(0)} ms, per step +${((through - direct) / STAGES).toFixed(1)} ms, ratio ${(through / direct).toFixed(2)}x, Fluxi process CPU ${cpuMs.toFixed(0)} ms`,
      );
  }
} finally {
  await mesh.stop();
}
const direct = median(rounds.map((r) => r.direct));
const through = median(rounds.map((r) => r.through));
const perStep = median(rounds.map((r) => (r.through - r.direct) / STAGES));
const of = ROUNDS > 1 ? ` (medians of ${ROUNDS} rounds)` : '';
const path = values['no-fast-path'] ? ', fast path off' : '';
console.log(`bench/chain: ${STAGES} stages of \`${COMMAND}\`, one job each${of}${path}`);
console.log(
  `  direct spawn, one after another: ${direct.toFixed(0)} ms (${(direct / STAGES).toFixed(1)} ms per command)`,
);
console.log(
  `  through Fluxi:                   ${through.toFixed(0)} ms (${(through / STAGES).toFixed(1)} ms per step)`,
);
console.log(
  `  Fluxi process CPU: ${median(rounds.map((r) => r.cpuMs)).toFixed(0)} ms (gateway, catalog, scheduler, logs)`,
);
console.log(`  overhead per step: ${perStep.toFixed(1)} ms (goal ≤ 10 ms)`);
console.log(`  ratio: ${median(rounds.map((r) => r.through / r.direct)).toFixed(2)}x`);
printBreakdown(stepBreakdown(lastEvents, lastQueued), ROUNDS > 1 ? 'last round' : 'the run');
