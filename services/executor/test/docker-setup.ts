import Docker from 'dockerode';
import type { FluxiConfig, FluxiConfigInput } from '@fluxi/common';
import { ensureTestImage, startTestDocker, waitFor, type TestDocker } from '@fluxi/testkit';
import { testConfig, type ConfigExtras } from './helpers.js';

/** A private Docker engine for one test file, a client of it and the test image (busybox, offline). */
export interface DockerSetup {
  engine: TestDocker;
  client: Docker;
  image: string;
}

/**
 * Starts the engine at collection time, so that a machine where none can start
 * shows the reason in the suite's title: `{ title: "… (skipped: <why>)" }`.
 */
export async function dockerSuite(name: string): Promise<{ title: string; setup: DockerSetup | undefined }> {
  const started = await startTestDocker();
  if ('skipped' in started) return { title: `${name} (skipped: ${started.skipped})`, setup: undefined };
  const engine = started.docker;
  try {
    const image = await ensureTestImage(engine);
    return { title: name, setup: { engine, client: new Docker({ socketPath: engine.socketPath }), image } };
  } catch (error) {
    await engine.stop();
    throw error;
  }
}

/** An executor configuration with the Docker driver on the test engine, under an executor name of its own. */
export function dockerConfig(
  dataDir: string,
  engine: TestDocker,
  executor: NonNullable<FluxiConfigInput['executor']> = {},
  extras: ConfigExtras = {},
): FluxiConfig {
  return testConfig(
    dataDir,
    {
      name: `docker-test-${Math.random().toString(36).slice(2, 8)}`,
      docker: { host: engine.host, network: 'none', enabled: true },
      ...executor,
    },
    extras,
  );
}

/** The containers of a job run, stopped ones included. */
export function containersOf(client: Docker, jobRunId: string): Promise<Docker.ContainerInfo[]> {
  return client.listContainers({ all: true, filters: { label: [`fluxi.job-run=${jobRunId}`] } });
}

/** Waits until the containers of a job run are gone: they are removed after the attempt's result is published. */
export async function removed(client: Docker, jobRunId: string): Promise<void> {
  await waitFor(async () => (await containersOf(client, jobRunId)).length === 0, {
    what: `the containers of ${jobRunId} to be removed`,
    timeoutMs: 15_000,
  });
}
