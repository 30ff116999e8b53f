import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore, artifactStore } from '@fluxi/artifacts';
import { silentLogger } from '@fluxi/common';
import {
  DockerOptionsSchema,
  FailureClass,
  JobOutcome,
  LogStream,
  ResolveContextsRequestSchema,
  ResolveContextsResponseSchema,
  ResolvedContextsSchema,
  Subjects,
  create,
} from '@fluxi/contracts';
import { serve } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';
import { containersOf, dockerConfig, dockerSuite, removed, type DockerSetup } from './docker-setup.js';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

const { title, setup } = await dockerSuite('docker driver: jobs in containers');
/** The PATH of the test image (its ENV), which a container job gets instead of the executor's. */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe.skipIf(setup === undefined)(title, () => {
  // Collected even when skipped: nothing of the setup is used then.
  const { engine, client, image } = setup ?? ({} as DockerSetup);
  let servers: TestServers;
  let running: TestExecutor;
  let store: LocalArtifactStore;
  let stopServing: () => void;

  beforeAll(async () => {
    servers = await startTestServers('fluxi-executor-docker-');
    // Plays the scheduler for $$(name) references.
    stopServing = serve(servers.nats.nc, {
      subject: Subjects.contextsResolve,
      request: ResolveContextsRequestSchema,
      response: ResolveContextsResponseSchema,
      logger: silentLogger(),
      handler: async (request) =>
        create(ResolveContextsResponseSchema, {
          result: {
            case: 'contexts',
            value: create(ResolvedContextsSchema, {
              values: Object.fromEntries(request.names.map((name) => [name, `value of ${name}`])),
            }),
          },
        }),
    });
    await servers.nats.nc.flush();
    const config = dockerConfig(
      dataDirOf(servers),
      engine,
      {},
      { artifacts: { dir: join(servers.dirs.path, 'artifacts') } },
    );
    store = artifactStore(config);
    running = await startTestExecutor(servers, config);
  });

  afterAll(async () => {
    stopServing?.();
    await running?.stop();
    await servers?.stop();
    await engine.stop();
  });

  it('runs the command through the image shell: output by stream in order, exit code, container removed', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({ image, command: 'echo one; echo two >&2; echo three; printf "last"; exit 3' }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.events.map((event) => event.kind.case)).toEqual(['started', 'finished']);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['one', 'three', 'last']);
    expect(texts(run.lines, LogStream.STDERR)).toEqual(['two']);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([]);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.JOB,
      exitCode: 3,
      reason: 'exit code 3',
      lastSeq: 4n,
    });
    await removed(client, job.jobRunId);
  });

  it('keeps every line of each stream in order through a large output', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({
        image,
        command: 'i=1; while [ $i -le 3000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done',
      }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    const numbers = Array.from({ length: 3000 }, (_, i) => i + 1);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(numbers.map((n) => `out ${n}`));
    expect(texts(run.lines, LogStream.STDERR)).toEqual(numbers.map((n) => `err ${n}`));
    expect(run.lines.map((line) => Number(line.seq))).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
  });

  it('applies env and the work folder, gives the FLUXI_* variables and the image PATH, and has no network', async () => {
    const job = await enqueue(
      running.queue,
      executeJob(
        {
          image,
          command:
            'echo "$GREETING"; pwd; echo "$FLUXI_JOB_RUN_ID $FLUXI_PIPELINE_RUN_ID $FLUXI_ATTEMPT"; echo "$PATH"; ls /sys/class/net',
          env: { GREETING: 'hello  world' },
        },
        2,
      ),
    );
    const run = await servers.collector.attempt(job.jobRunId, 2);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([
      'hello  world',
      join(dataDirOf(servers), 'work', job.jobRunId),
      `${job.jobRunId} ${job.pipelineRunId} 2`,
      IMAGE_PATH,
      'lo',
    ]);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
  });

  it('labels its container with the attempt and the executor, without network, while it runs', async () => {
    const folder = join(servers.dirs.path, 'labels');
    mkdirSync(folder);
    const job = await enqueue(
      running.queue,
      executeJob({ image, command: 'echo up; while [ ! -f go ]; do sleep 0.05; done', workdir: folder }),
    );
    const [container] = await waitFor(
      async () => {
        const listed = await containersOf(client, job.jobRunId);
        return listed.length > 0 && listed[0]?.State === 'running' ? listed : undefined;
      },
      { what: 'the job container running' },
    );
    const info = await client.getContainer(container?.Id ?? '').inspect();
    expect(info.Config.Labels).toMatchObject({
      'fluxi.job-run': job.jobRunId,
      'fluxi.attempt': '1',
      'fluxi.pipeline-run': job.pipelineRunId,
      'fluxi.job': job.job?.jobId,
      'fluxi.executor': running.config.executor.name,
    });
    expect(info.Config.Labels['fluxi.executor-instance']?.startsWith(`${running.executor.executorId}/`)).toBe(true);
    expect(info.HostConfig.NetworkMode).toBe('none');
    writeFileSync(join(folder, 'go'), '');
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(run.started.kind.case === 'started' && run.started.kind.value.pid).toBeGreaterThan(0);
    await removed(client, job.jobRunId);
  });

  it('substitutes contexts, keeps its standard output as the job context, saves and restores artifacts', async () => {
    const build = await enqueue(
      running.queue,
      executeJob({
        image,
        command: 'mkdir -p dist && echo "built $$(version)" > dist/app.txt && echo "v=$$(version)"',
        artifactPaths: ['dist/'],
      }),
    );
    const built = await servers.collector.attempt(build.jobRunId);
    expect(built.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(Buffer.from(built.finished.output).toString()).toBe('v=value of version\n');
    expect(await store.list(build.jobRunId)).toEqual([
      { path: 'dist/app.txt', sizeBytes: 'built value of version\n'.length },
    ]);

    const use = await enqueue(
      running.queue,
      executeJob({ image, command: 'cat dist/app.txt' }, 1, [{ name: 'build', jobRunId: build.jobRunId }]),
    );
    const used = await servers.collector.attempt(use.jobRunId);
    expect(used.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(texts(used.lines, LogStream.STDOUT)).toEqual(['built value of version']);
  });

  it('keeps the container of a failed attempt when the job asks, and removes a successful one', async () => {
    const docker = create(DockerOptionsSchema, { keepOnFailure: true });
    const failing = await enqueue(running.queue, executeJob({ image, command: 'exit 1', docker }));
    const failed = await servers.collector.attempt(failing.jobRunId);
    expect(failed.finished.outcome).toBe(JobOutcome.FAILED);
    const kept = await containersOf(client, failing.jobRunId);
    expect(kept).toHaveLength(1);
    const name = kept[0]?.Names[0]?.replace(/^\//, '') ?? '';
    expect(name.startsWith(`fluxi-kept-${failing.jobRunId}-1-`)).toBe(true);
    expect(texts(failed.lines, LogStream.SYSTEM)).toEqual([
      `the container ${name} is kept for inspection (keep on failure)`,
    ]);
    await client.getContainer(kept[0]?.Id ?? '').remove({ force: true });

    const passing = await enqueue(running.queue, executeJob({ image, command: 'true', docker }));
    expect((await servers.collector.attempt(passing.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
    await removed(client, passing.jobRunId);
  });
});
