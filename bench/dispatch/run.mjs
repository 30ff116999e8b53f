#!/usr/bin/env node
// bench/dispatch: 1000 trivial jobs (`echo n`) spread over 100 pipelines through the whole
// mesh (gateway → scheduler → BullMQ → executor → JetStream → scheduler), compared in the same
// run with spawning the same 1000 commands directly at the same concurrency.
// Usage: npm run bench:dispatch [-- --pipelines 100 --jobs 10 --concurrency 4 --rounds 1]
// --rounds N: the mesh is started and the pipelines created once, then N rounds alternate the
// baseline and a trigger of every pipeline; each round's figures and the medians are printed
// (the machine's noise moves single runs by ±30%: compare medians).
// --profile FILE: a CPU profile of this process (gateway, catalog, scheduler, logs) over the last
// round's mesh run, written as FILE (open it in Chrome DevTools or `node bench/lib/profile-top.mjs FILE`).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureApart, median } from '../lib/apart.mjs';
import { profiled } from '../lib/profile.mjs';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { gql } from '../lib/gql.mjs';

const { values } = parseArgs({
  options: {
    pipelines: { type: 'string', default: '100' },
    jobs: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '1' },
    'baseline-only': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const PIPELINES = Number(values.pipelines);
const JOBS = Number(values.jobs);
const CONCURRENCY = Number(values.concurrency);
const TOTAL = PIPELINES * JOBS;
const ROUNDS = Math.max(1, Number(values.rounds));

/** Baseline: the same commands, spawned directly, CONCURRENCY at a time, output read. */
async function baseline() {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < TOTAL) {
      const n = next++;
      await new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', `echo ${n}`], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.resume();
        child.on('error', reject);
        child.on('close', resolve);
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - started;
}

/** Starts the mesh and creates the pipelines; `run()` triggers them all and waits for every run. */
async function startMesh() {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-'));
  const config = loadConfig({
    env: process.env,
    flags: { dataDir, 'gateway.port': 0, 'executor.concurrency': CONCURRENCY, 'log.level': 'error' },
  });
  const system = await startFluxi(
    config,
    createLogger({ level: 'error' }) /* errors on the console: a failed bench says why */,
  );
  const stop = async () => {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const { url, adminKey: key } = system;
    const pipelineIds = [];
    for (let p = 0; p < PIPELINES; p++) {
      const entries = [];
      for (let j = 0; j < JOBS; j++) {
        const n = p * JOBS + j;
        const { createJob } = await gql(url, key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
          i: { name: `echo-${n}`, command: `echo ${n}` },
        });
        entries.push({ jobId: createJob.id });
      }
      const { createPipeline } = await gql(
        url,
        key,
        'mutation($i: PipelineInput!) { createPipeline(input: $i) { id } }',
        {
          i: { name: `bench-${p}`, stages: [{ name: 'run', entries }] },
        },
      );
      pipelineIds.push(createPipeline.id);
    }
    return { run: () => runAll(url, key, pipelineIds), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Triggers every pipeline and waits until all runs ended; the elapsed ms. */
async function runAll(url, key, pipelineIds) {
  const started = performance.now();
  const runIds = await Promise.all(
    pipelineIds.map(
      async (id) =>
        (await gql(url, key, 'mutation($id: ID!) { triggerPipeline(id: $id) { id } }', { id })).triggerPipeline.id,
    ),
  );
  const pending = new Set(runIds);
  const pollErrors = [];
  let failed = 0;
  while (pending.size > 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const id of [...pending]) {
      let pipelineRun;
      try {
        ({ pipelineRun } = await gql(url, key, 'query($id: ID!) { pipelineRun(id: $id) { status } }', { id }));
      } catch (error) {
        // A failed status poll is reported and asked again (up to 10): the runs go on meanwhile.
        pollErrors.push(error.message);
        if (pollErrors.length > 10) throw error;
        console.log(`  a status poll failed (asked again): ${error.message}`);
        break;
      }
      if (['SUCCESS', 'FAILED', 'CANCELLED'].includes(pipelineRun.status)) {
        pending.delete(id);
        if (pipelineRun.status !== 'SUCCESS') failed++;
      } else break; // runs finish roughly in order; poll the oldest first
    }
  }
  const elapsed = performance.now() - started;
  if (failed > 0) throw new Error(`${failed} runs did not succeed`);
  return elapsed;
}

/**
 * The baseline in a small child process: spawning from this process once it holds PGlite and
 * chDB (a large address space) costs several times more, which is why the executor is a process
 * of its own; the direct spawn is measured as a small process does it.
 */
async function baselineApart() {
  const { ms } = await measureApart(process.argv[1], ['--baseline-only', ...process.argv.slice(2)]);
  return ms;
}

if (values['baseline-only']) {
  process.send({ ms: await baseline() });
  process.exit(0);
}

const mesh = await startMesh();
const rounds = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const direct = await baselineApart();
    const cpuBefore = process.cpuUsage();
    const through =
      values.profile && round === ROUNDS ? await profiled(values.profile, () => mesh.run()) : await mesh.run();
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time of this process (gateway, catalog, scheduler, logs): steadier than wall time on a shared machine.
    const cpuMs = (cpu.user + cpu.system) / 1000;
    rounds.push({ direct, through, ratio: through / direct, cpuMs });
    if (ROUNDS > 1)
      console.log(
        `  round ${round}: direct ${direct.toFixed(0)} ms, Fluxi ${through.toFixed(0)} ms, ratio ${(through / direct).toFixed(2)}x, Fluxi process CPU ${cpuMs.toFixed(0)} ms`,
      );
  }
} finally {
  await mesh.stop();
}
const direct = median(rounds.map((r) => r.direct));
const through = median(rounds.map((r) => r.through));
const ratio = median(rounds.map((r) => r.ratio));
const of = ROUNDS > 1 ? ` (medians of ${ROUNDS} rounds)` : '';
console.log(`bench/dispatch: ${TOTAL} jobs in ${PIPELINES} pipelines, concurrency ${CONCURRENCY}${of}`);
console.log(`  direct spawn:    ${direct.toFixed(0)} ms (${((TOTAL / direct) * 1000).toFixed(0)} jobs/s)`);
console.log(`  through Fluxi:   ${through.toFixed(0)} ms (${((TOTAL / through) * 1000).toFixed(0)} jobs/s)`);
console.log(
  `  Fluxi process CPU: ${median(rounds.map((r) => r.cpuMs)).toFixed(0)} ms (gateway, catalog, scheduler, logs)`,
);
console.log(`  ratio: ${ratio.toFixed(2)}x (goal ≤ 2x)`);
