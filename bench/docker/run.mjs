#!/usr/bin/env node
// bench/docker: the overhead of a container job through Fluxi (trigger → scheduler → executor →
// Docker driver → container → finish event → run SUCCESS), against `docker run --rm` of the same
// image and command, measured in the same run on a private dockerd this script starts.
// Usage: npm run bench:docker [-- --jobs 20 --rounds 3]
// --rounds N: Fluxi is started and the job created once, then N rounds alternate the baseline and
// the jobs through Fluxi; each round's figures and the medians are printed (single runs on a shared
// machine move by ±20 %: compare medians). The baseline runs in a small child process, as `docker`
// would be started from a shell (spawning from the process holding PGlite and chDB costs more).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureApart, median } from '../lib/apart.mjs';
import { gql } from '../lib/gql.mjs';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'baseline-only': { type: 'string' },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Math.max(1, Number(values.rounds));
const COMMAND = 'echo hello from a container';

/** Baseline: `docker run --rm` of the same image and command, one after another, output read. */
async function baseline(host, image) {
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) {
    await new Promise((resolve, reject) => {
      const child = spawn('docker', ['run', '--rm', '--network', 'none', image, '/bin/sh', '-c', COMMAND], {
        env: { ...process.env, DOCKER_HOST: host },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.resume();
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
    });
  }
  return performance.now() - started;
}

if (values['baseline-only'] !== undefined) {
  const [host, image] = JSON.parse(values['baseline-only']);
  process.send({ ms: await baseline(host, image) });
  process.exit(0);
}

/** The baseline in a small child process (see the header). */
async function baselineApart(host, image) {
  const { ms } = await measureApart(process.argv[1], [
    '--jobs',
    String(JOBS),
    '--baseline-only',
    JSON.stringify([host, image]),
  ]);
  return ms;
}

/** Starts Fluxi on the engine and creates the job; `run()` runs it JOBS times, one after another. */
async function startFluxiJob(host, image) {
  const { createLogger, loadConfig } = await import('@fluxi/common');
  const { startFluxi } = await import('@fluxi/server');
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-docker-'));
  const config = loadConfig({
    flags: { dataDir, 'gateway.port': 0, 'log.console': false, 'executor.docker.host': host },
  });
  const system = await startFluxi(config, createLogger({ level: 'warn', console: false }));
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
  await runOnce(); // warm-up: first job of the executor
  return {
    async run() {
      const started = performance.now();
      for (let i = 0; i < JOBS; i++) await runOnce();
      return performance.now() - started;
    },
    async stop() {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const { ensureTestImage, startTestDocker } = await import('@fluxi/testkit');
const engine = await startTestDocker();
if ('skipped' in engine) {
  console.log(`bench/docker: skipped: ${engine.skipped}`);
  process.exit(0);
}
const { docker } = engine;
const rounds = [];
try {
  const image = await ensureTestImage(docker);
  await baseline(docker.host, image); // warm-up: the engine's first containers
  const fluxi = await startFluxiJob(docker.host, image);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const direct = await baselineApart(docker.host, image);
      const through = await fluxi.run();
      rounds.push({ direct, through, ratio: through / direct });
      console.log(
        `  round ${round}: docker run ${direct.toFixed(0)} ms, Fluxi ${through.toFixed(0)} ms, ratio ${(through / direct).toFixed(2)}x`,
      );
    }
  } finally {
    await fluxi.stop();
  }
  const direct = median(rounds.map((r) => r.direct));
  const through = median(rounds.map((r) => r.through));
  const of = ROUNDS > 1 ? ` (medians of ${ROUNDS} rounds)` : '';
  console.log(`bench/docker: ${JOBS} container jobs, one at a time, image ${image}${of}`);
  console.log(`  docker run --rm: ${direct.toFixed(0)} ms (${(direct / JOBS).toFixed(0)} ms a job)`);
  console.log(`  through Fluxi:   ${through.toFixed(0)} ms (${(through / JOBS).toFixed(0)} ms a job)`);
  console.log(`  ratio: ${median(rounds.map((r) => r.ratio)).toFixed(2)}x (goal ≤ 1.2x)`);
} finally {
  await docker.stop();
}
