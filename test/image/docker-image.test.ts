import { spawn } from 'node:child_process';
import { chownSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startNatsServer,
  startRedisServer,
  startTestDocker,
  tempDir,
  waitFor,
  type RestartableServer,
  type TestDocker,
} from '@fluxi/testkit';
import { buildNodeBaseImage } from './node-base-image.js';

/**
 * The repository's Dockerfile, end to end: built on a stand-in for node:20-bookworm-slim
 * (no registry here; see node-base-image.ts) with `--build-arg BASE`, run with host
 * networking against test NATS and Redis, and /health asked until it answers. Building
 * runs `npm ci` inside the engine (the npm registry through the host's network), so it
 * is gated: FLUXI_TEST_IMAGE=1.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const BASE_IMAGE = 'fluxi-test/node-base:20';
const IMAGE = 'fluxi-test/fluxi:image-test';
const FLUXI_UID = 10001;

const wanted = process.env['FLUXI_TEST_IMAGE'] === '1';
const started = wanted
  ? await startTestDocker({ storageDriver: 'fastest' })
  : { skipped: 'set FLUXI_TEST_IMAGE=1 to build the image' };
const engine = 'docker' in started ? started.docker : undefined;
const title = 'skipped' in started ? `Docker image (skipped: ${started.skipped})` : 'Docker image';

function report(text: string): void {
  process.stdout.write(`image: ${text}\n`);
}

/** Runs the docker CLI against the engine; rejects with the output's end when it fails. */
function dockerCli(docker: TestDocker, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, {
      cwd: repoRoot,
      // The classic builder: no buildx plugin needed, and `--network host` needs no entitlement.
      env: { ...process.env, DOCKER_HOST: docker.host, DOCKER_BUILDKIT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`docker ${args[0]} failed (${code ?? 'killed'}): ${output.slice(-4000)}`));
    });
  });
}

describe.skipIf(!engine)(title, () => {
  // The body is collected even when skipped: nothing here may touch the engine.
  const docker = engine as TestDocker;
  let client: Docker;
  let dataDir: ReturnType<typeof tempDir>;

  beforeAll(() => {
    client = new Docker({ socketPath: docker.socketPath });
    dataDir = tempDir('fluxi-image-data-');
  });
  let nats: RestartableServer | undefined;
  let redis: RestartableServer | undefined;

  afterAll(async () => {
    await docker.stop();
    await nats?.stop();
    await redis?.stop();
    dataDir.remove();
  });

  it(
    'builds from BASE, keeps dev dependencies out, runs as a non-root user and answers /health',
    async () => {
      let at = Date.now();
      await buildNodeBaseImage(docker, repoRoot, BASE_IMAGE);
      report(`base image (node, npm, busybox) imported in ${((Date.now() - at) / 1000).toFixed(1)} s`);

      at = Date.now();
      await dockerCli(
        docker,
        ['build', '--network', 'host', '--build-arg', `BASE=${BASE_IMAGE}`, '--tag', IMAGE, '.'],
        20 * 60_000,
      );
      report(`docker build in ${((Date.now() - at) / 1000).toFixed(1)} s`);

      const inspect = await client.getImage(IMAGE).inspect();
      const base = await client.getImage(BASE_IMAGE).inspect();
      report(`image size ${(inspect.Size / 1e6).toFixed(0)} MB (base ${(base.Size / 1e6).toFixed(0)} MB)`);
      expect(['', 'root', '0', '0:0']).not.toContain(inspect.Config.User);
      expect(inspect.Config.ExposedPorts).toHaveProperty('4000/tcp');

      nats = await startNatsServer();
      redis = await startRedisServer();
      const port = await freePort();
      chownSync(dataDir.path, FLUXI_UID, FLUXI_UID);
      const name = `fluxi-image-test-${port}`;
      at = Date.now();
      await dockerCli(
        docker,
        [
          'run',
          '--detach',
          '--name',
          name,
          '--network',
          'host',
          '--env',
          `NATS_URL=${nats.url}`,
          '--env',
          `REDIS_URL=${redis.url}`,
          '--volume',
          `${dataDir.path}:/var/lib/fluxi`,
          IMAGE,
          '--port',
          String(port),
        ],
        60_000,
      );
      try {
        const health = await waitFor(
          async () => {
            const state = (await client.getContainer(name).inspect()).State;
            if (!state.Running) {
              const logs = await client.getContainer(name).logs({ stdout: true, stderr: true });
              throw new Error(`the container exited (${state.ExitCode}): ${logs.toString().slice(-2000)}`);
            }
            const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
            if (!response || (response.status !== 200 && response.status !== 503)) return undefined;
            return { status: response.status, body: (await response.json()) as unknown };
          },
          { what: `/health of the container on port ${port}`, timeoutMs: 180_000, intervalMs: 500 },
        );
        report(`/health answered ${health.status} ${((Date.now() - at) / 1000).toFixed(1)} s after docker run`);
        expect(health.body).toBeTypeOf('object');

        // Every process of the container runs as the image's user.
        const top = (await client.getContainer(name).top({ ps_args: '-o pid,uid' })) as {
          Titles: string[];
          Processes: string[][];
        };
        const uid = top.Titles.indexOf('UID');
        expect(top.Processes.map((row) => row[uid])).toEqual(top.Processes.map(() => String(FLUXI_UID)));
        // Production dependencies only: what the build needed is gone, what Fluxi loads is there.
        const present = (path: string) =>
          client
            .getContainer(name)
            .infoArchive({ path: `/app/${path}` })
            .then(
              () => true,
              () => false,
            );
        const dev = ['node_modules/typescript', 'node_modules/vitest', 'node_modules/eslint', 'node_modules/@swc/core'];
        expect(await Promise.all(dev.map(present))).toEqual(dev.map(() => false));
        const needed = ['apps/server/dist/bin.js', 'node_modules/@chdb/lib-linux-x64-gnu', 'node_modules/dockerode'];
        expect(await Promise.all(needed.map(present))).toEqual(needed.map(() => true));
      } finally {
        await client.getContainer(name).remove({ force: true });
      }
    },
    30 * 60_000,
  );
});
