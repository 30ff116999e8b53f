#!/usr/bin/env node
// bench/docker: the overhead of a container job through Fluxi (trigger → scheduler → executor →
// Docker driver → container → finish event → run SUCCESS), against `docker run --rm` of the same
// image and command, measured in the same run on a private dockerd this script starts.
// Usage: npm run bench:docker [-- --jobs 20]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { gql } from '../lib/gql.mjs';
import { ensureTestImage, startTestDocker } from '@fluxi/testkit';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '20' } } });
const JOBS = Number(values.jobs);
const COMMAND = 'echo hello from a container';

const engine = await startTestDocker();
if ('skipped' in engine) {
  console.log(`bench/docker: skipped: ${engine.skipped}`);
  process.exit(0);
}
const { docker } = engine;

/** Baseline: `docker run --rm` of the same image and command, one after another, output read. */
async function baseline(image) {
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) {
    await new Promise((resolve, reject) => {
      const child = spawn('docker', ['run', '--rm', '--network', 'none', image, '/bin/sh', '-c', COMMAND], {
        env: { ...process.env, DOCKER_HOST: docker.host },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.resume();
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
    });
  }
  return performance.now() - started;
}

/** The same jobs through Fluxi, one after another: trigger, then wait for the run to end. */
async function fluxi(image) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-docker-'));
  const config = loadConfig({
    flags: { dataDir, 'gateway.port': 0, 'log.console': false, 'executor.docker.host': docker.host },
  });
  const system = await startFluxi(config, createLogger({ level: 'warn', console: false }));
  try {
    const { url, adminKey: key } = system;
    const { createJob } = await gql(url, key, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', {
      i: { name: 'container', command: COMMAND, image, docker: { pullPolicy: 'NEVER' } },
    });
    const runOnce = async () => {
      const { triggerJob } = await gql(url, key, 'mutation($id: ID!) { triggerJob(id: $id) { id } }', {
        id: createJob.id,
      });
      for (;;) {
        const { pipelineRun } = await gql(url, key, 'query($id: ID!) { pipelineRun(id: $id) { status } }', {
          id: triggerJob.id,
        });
        if (pipelineRun.status === 'SUCCESS') return;
        if (['FAILED', 'CANCELLED'].includes(pipelineRun.status)) throw new Error(`run ${pipelineRun.status}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await runOnce(); // warm-up: first container of the engine, first job of the executor
    const started = performance.now();
    for (let i = 0; i < JOBS; i++) await runOnce();
    return performance.now() - started;
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

try {
  const image = await ensureTestImage(docker);
  await baseline(image); // warm-up
  const direct = await baseline(image);
  const through = await fluxi(image);
  const ratio = through / direct;
  console.log(`bench/docker: ${JOBS} container jobs, one at a time, image ${image}`);
  console.log(`  docker run --rm: ${direct.toFixed(0)} ms (${(direct / JOBS).toFixed(0)} ms a job)`);
  console.log(`  through Fluxi:   ${through.toFixed(0)} ms (${(through / JOBS).toFixed(0)} ms a job)`);
  console.log(`  ratio: ${ratio.toFixed(2)}x (goal ≤ 1.2x)`);
} finally {
  await docker.stop();
}
