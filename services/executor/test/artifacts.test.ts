import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore, artifactStore } from '@fluxi/artifacts';
import { FailureClass, JobOutcome, LogStream } from '@fluxi/contracts';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  testConfig,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

let servers: TestServers;
let running: TestExecutor;
let store: LocalArtifactStore;

beforeAll(async () => {
  servers = await startTestServers('fluxi-executor-artifacts-');
  const config = testConfig(dataDirOf(servers), {}, { artifacts: { dir: join(servers.dirs.path, 'artifacts') } });
  store = artifactStore(config);
  running = await startTestExecutor(servers, config);
});

afterAll(async () => {
  await running?.stop();
  await servers?.stop();
});

const paths = (files: Array<{ path: string }>) => files.map((file) => file.path);

describe('artifacts', () => {
  it('saves the files a job names, reports them, and gives them to a later job', async () => {
    const build = await enqueue(
      running.queue,
      executeJob({
        command: 'mkdir -p dist/sub && echo hello > dist/sub/a.txt && echo report > report.txt && echo no > other.txt',
        artifactPaths: ['dist/', 'report.txt', 'coverage/*.xml'],
      }),
    );
    const built = await servers.collector.attempt(build.jobRunId);
    expect(built.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(built.finished.artifacts.map((file) => ({ path: file.path, sizeBytes: file.sizeBytes }))).toEqual([
      { path: 'dist/sub/a.txt', sizeBytes: 6n },
      { path: 'report.txt', sizeBytes: 7n },
    ]);
    expect(await store.list(build.jobRunId)).toEqual([
      { path: 'dist/sub/a.txt', sizeBytes: 6 },
      { path: 'report.txt', sizeBytes: 7 },
    ]);
    expect(texts(built.lines, LogStream.SYSTEM)).toEqual([
      'warning: artifact pattern "coverage/*.xml" matched no file',
      'saved artifact dist/sub/a.txt (6 bytes)',
      'saved artifact report.txt (7 bytes)',
      'saved 2 artifact files, 13 bytes in all',
    ]);

    const test = await enqueue(
      running.queue,
      executeJob({ command: 'cat dist/sub/a.txt report.txt; ls' }, 1, [{ name: 'build', jobRunId: build.jobRunId }]),
    );
    const tested = await servers.collector.attempt(test.jobRunId);
    expect(tested.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(texts(tested.lines, LogStream.STDOUT)).toEqual(['hello', 'report', 'dist', 'report.txt']);
    expect(texts(tested.lines, LogStream.SYSTEM)).toEqual(['restored 2 artifact files from build']);
    expect(tested.finished.artifacts).toEqual([]);
  });

  it('restores nothing from job runs without artifacts, and says nothing about them', async () => {
    const lint = await enqueue(running.queue, executeJob({ command: 'echo lint' }));
    expect((await servers.collector.attempt(lint.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
    const job = await enqueue(
      running.queue,
      executeJob({ command: 'ls' }, 1, [
        { name: 'lint', jobRunId: lint.jobRunId },
        { name: 'never-ran', jobRunId: 'JRNONE' },
      ]),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([]);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([]);
  });

  it('saves the artifacts of a failing job too, and keeps its failure', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({ command: 'echo partial > log.txt; exit 4', artifactPaths: ['*.txt'] }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.JOB, exitCode: 4 });
    expect(paths(run.finished.artifacts)).toEqual(['log.txt']);
    expect(paths(await store.list(job.jobRunId))).toEqual(['log.txt']);
  });

  it('skips a link leading out of the work folder, with a note', async () => {
    const secret = join(servers.dirs.path, 'secret.txt');
    writeFileSync(secret, 'secret');
    const job = await enqueue(
      running.queue,
      executeJob({
        command: 'ln -s "$SECRET" leak.txt; echo ok > ok.txt',
        env: { SECRET: secret },
        artifactPaths: ['*.txt'],
      }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(paths(run.finished.artifacts)).toEqual(['ok.txt']);
    expect(texts(run.lines, LogStream.SYSTEM)).toContain(
      'artifact leak.txt not saved: symbolic link pointing outside the work folder',
    );
  });
});

describe('artifacts that cannot be saved', () => {
  let broken: TestExecutor;

  beforeAll(async () => {
    // The artifacts folder lies under a plain file: every save fails.
    const file = join(servers.dirs.path, 'not-a-folder');
    writeFileSync(file, '');
    broken = await startTestExecutor(
      servers,
      testConfig(dataDirOf(servers, 'data-broken'), {}, { artifacts: { dir: join(file, 'artifacts') } }),
    );
  });

  afterAll(async () => {
    await broken?.stop();
  });

  it('turn a successful command into an infrastructure failure', async () => {
    const job = await enqueue(broken.queue, executeJob({ command: 'echo x > a.txt', artifactPaths: ['a.txt'] }));
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.INFRASTRUCTURE });
    expect(run.finished.reason).toMatch(/^could not save artifacts: /);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([run.finished.reason]);
  });

  it('leave the failure of a failing command as it is', async () => {
    const job = await enqueue(
      broken.queue,
      executeJob({ command: 'echo x > a.txt; exit 3', artifactPaths: ['a.txt'] }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.JOB, exitCode: 3 });
    expect(texts(run.lines, LogStream.SYSTEM)[0]).toMatch(/^could not save artifacts: /);
  });
});
