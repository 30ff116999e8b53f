#!/usr/bin/env node
// bench/dispatch: 1000 trivial jobs (`echo n`) spread over 100 pipelines through the whole
// mesh (gateway → scheduler → BullMQ → executor → JetStream → scheduler), compared in the same
// run with spawning the same 1000 commands directly at the same concurrency.
// Usage: npm run bench:dispatch [-- --pipelines 100 --jobs 10 --concurrency 4]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { gql } from '../lib/gql.mjs';

const { values } = parseArgs({
  options: {
    pipelines: { type: 'string', default: '100' },
    jobs: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
  },
});
const PIPELINES = Number(values.pipelines);
const JOBS = Number(values.jobs);
const CONCURRENCY = Number(values.concurrency);
const TOTAL = PIPELINES * JOBS;

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

async function mesh() {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-'));
  const config = loadConfig({
    env: process.env,
    flags: { dataDir, 'gateway.port': 0, 'executor.concurrency': CONCURRENCY, 'log.console': false },
  });
  const system = await startFluxi(config, createLogger({ level: 'warn', console: false }));
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
    const started = performance.now();
    const runIds = await Promise.all(
      pipelineIds.map(
        async (id) =>
          (await gql(url, key, 'mutation($id: ID!) { triggerPipeline(id: $id) { id } }', { id })).triggerPipeline.id,
      ),
    );
    const pending = new Set(runIds);
    let failed = 0;
    while (pending.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const id of [...pending]) {
        const { pipelineRun } = await gql(url, key, 'query($id: ID!) { pipelineRun(id: $id) { status } }', { id });
        if (['SUCCESS', 'FAILED', 'CANCELLED'].includes(pipelineRun.status)) {
          pending.delete(id);
          if (pipelineRun.status !== 'SUCCESS') failed++;
        } else break; // runs finish roughly in order; poll the oldest first
      }
    }
    const elapsed = performance.now() - started;
    if (failed > 0) throw new Error(`${failed} runs did not succeed`);
    return elapsed;
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const direct = await baseline();
const through = await mesh();
const ratio = through / direct;
console.log(`bench/dispatch: ${TOTAL} jobs in ${PIPELINES} pipelines, concurrency ${CONCURRENCY}`);
console.log(`  direct spawn:    ${direct.toFixed(0)} ms (${((TOTAL / direct) * 1000).toFixed(0)} jobs/s)`);
console.log(`  through Fluxi:   ${through.toFixed(0)} ms (${((TOTAL / through) * 1000).toFixed(0)} jobs/s)`);
console.log(`  ratio: ${ratio.toFixed(2)}x (goal ≤ 3x)`);
