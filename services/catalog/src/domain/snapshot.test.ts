import { describe, expect, it } from 'vitest';
import { BackoffKind, ContractVersion, EntryWhen, FailureClass, PullPolicy } from '@fluxi/contracts';
import { defaultDocker } from './docker.js';
import type { Job } from './job.js';
import type { Pipeline, StageEntryDefinition } from './pipeline.js';
import { DEFAULT_RETRY } from './retry.js';
import { buildSnapshot, jobSpec } from './snapshot.js';

const at = new Date('2026-01-01T00:00:00Z');
const job = (id: string, name: string, extra: Partial<Job> = {}): Job => ({
  id,
  name,
  command: `run ${name}`,
  image: null,
  env: [],
  workdir: null,
  timeoutSec: null,
  maxAttempts: 1,
  allowFailure: false,
  allowFailureExitCodes: [],
  retry: { ...DEFAULT_RETRY, on: [], exitCodes: [] },
  artifacts: [],
  pool: 'default',
  tags: [],
  maxConcurrent: null,
  docker: defaultDocker(),
  checkout: false,
  secrets: [],
  createdAt: at,
  updatedAt: at,
  ...extra,
});

const entry = (fields: Partial<StageEntryDefinition> & { name: string; jobId: string }): StageEntryDefinition => ({
  needs: [],
  when: 'ON_SUCCESS',
  matrix: [],
  allowFailure: null,
  pool: null,
  tags: [],
  ...fields,
});

describe('snapshots', () => {
  it('turn a job into a JobSpec, empty values standing for none', () => {
    const spec = jobSpec(
      job('J1', 'build', { image: 'node:20', env: [{ name: 'A', value: '1' }], timeoutSec: 60, maxAttempts: 3 }),
    );
    expect(spec).toMatchObject({
      jobId: 'J1',
      name: 'build',
      image: 'node:20',
      env: { A: '1' },
      workdir: '',
      timeoutSec: 60,
      maxAttempts: 3,
    });
    expect(jobSpec(job('J2', 'x'))).toMatchObject({ image: '', timeoutSec: 0 });
  });

  it('carry the entry name beside each JobSpec so needs resolve by entry name', () => {
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      timeoutSec: null,
      concurrency: null,
      retention: null,
      git: null,
      webhookSecretSetAt: null,
      createdAt: at,
      updatedAt: at,
      stages: [
        { name: 'build', entries: [entry({ name: 'build-arm', jobId: 'J1' })] },
        { name: 'test', entries: [entry({ name: 'test', jobId: 'J2', needs: ['build-arm'] })] },
      ],
    };
    const snapshot = buildSnapshot(
      pipeline,
      new Map([
        ['J1', job('J1', 'build')],
        ['J2', job('J2', 'test')],
      ]),
    );
    expect(snapshot.version).toBe(ContractVersion.CONTRACT_VERSION_1);
    expect(snapshot.stages.map((s) => s.entries.map((e) => [e.name, e.job?.name, e.job?.jobId, e.needs]))).toEqual([
      [['build-arm', 'build', 'J1', []]],
      [['test', 'test', 'J2', ['build-arm']]],
    ]);
  });

  it('fail loudly when a job is missing', () => {
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      timeoutSec: null,
      concurrency: null,
      retention: null,
      git: null,
      webhookSecretSetAt: null,
      createdAt: at,
      updatedAt: at,
      stages: [{ name: 's', entries: [entry({ name: 'a', jobId: 'J9' })] }],
    };
    expect(() => buildSnapshot(pipeline, new Map())).toThrow(/J9/);
  });

  it('carry retry, artifacts, when, matrix, allowFailure overrides, timeout and concurrency', () => {
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      timeoutSec: 3600,
      concurrency: { group: 'prod', cancelOlder: true },
      retention: null,
      git: null,
      webhookSecretSetAt: null,
      createdAt: at,
      updatedAt: at,
      stages: [
        {
          name: 's',
          entries: [
            entry({ name: 'a', jobId: 'J1', matrix: [{ name: 'NODE', values: ['18', '20'] }], allowFailure: true }),
            entry({ name: 'b', jobId: 'J1', when: 'ON_FAILURE' }),
          ],
        },
      ],
    };
    const retried = job('J1', 'build', {
      retry: {
        on: ['JOB', 'INFRASTRUCTURE'],
        exitCodes: [137],
        backoff: 'EXPONENTIAL',
        delayMs: 1500,
        maxDelayMs: null,
        jitter: true,
      },
      artifacts: ['dist/**'],
    });
    const snapshot = buildSnapshot(pipeline, new Map([['J1', retried]]));
    expect(snapshot).toMatchObject({ timeoutSec: 3600, concurrency: { group: 'prod', cancelOlder: true } });
    const [a, b] = snapshot.stages[0]?.entries ?? [];
    expect(a).toMatchObject({
      when: EntryWhen.ON_SUCCESS,
      matrix: [{ name: 'NODE', values: ['18', '20'] }],
      allowFailure: true,
    });
    expect(b).toMatchObject({ when: EntryWhen.ON_FAILURE, matrix: [] });
    expect(b?.allowFailure).toBeUndefined();
    expect(a?.job).toMatchObject({
      artifactPaths: ['dist/**'],
      retry: {
        on: [FailureClass.JOB, FailureClass.INFRASTRUCTURE],
        exitCodes: [137],
        backoff: BackoffKind.EXPONENTIAL,
        delayMs: 1500,
        maxDelayMs: 0,
        jitter: true,
      },
    });
    const plain = buildSnapshot(
      { ...pipeline, timeoutSec: null, concurrency: null },
      new Map([['J1', job('J1', 'x')]]),
    );
    expect(plain.timeoutSec).toBe(0);
    expect(plain.concurrency).toBeUndefined();
    expect(plain.stages[0]?.entries[0]?.job?.retry).toMatchObject({ on: [], backoff: BackoffKind.FIXED, delayMs: 0 });
  });

  it('carry the retention, 0 for a default', () => {
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      timeoutSec: null,
      concurrency: null,
      retention: { runDays: 14, logDays: null },
      git: null,
      webhookSecretSetAt: null,
      createdAt: at,
      updatedAt: at,
      stages: [{ name: 's', entries: [entry({ name: 'a', jobId: 'J1' })] }],
    };
    const jobs = new Map([['J1', job('J1', 'a')]]);
    expect(buildSnapshot(pipeline, jobs).retention).toMatchObject({ runDays: 14, logDays: 0 });
    expect(buildSnapshot({ ...pipeline, retention: null }, jobs).retention).toBeUndefined();
  });

  it('carry pool, tags, maxConcurrent and docker options; an entry overrides the pool and adds tags', () => {
    const built = job('J1', 'gpu-test', {
      image: 'cuda:12',
      pool: 'linux',
      tags: ['gpu', 'x86'],
      maxConcurrent: 2,
      docker: { pullPolicy: 'ALWAYS', cpus: 1.5, memoryMiB: 512, entrypoint: ['/bin/bash', '-c'], keepOnFailure: true },
    });
    expect(jobSpec(built)).toMatchObject({
      pool: 'linux',
      tags: ['gpu', 'x86'],
      maxConcurrent: 2,
      docker: {
        pullPolicy: PullPolicy.ALWAYS,
        cpus: 1.5,
        memoryMib: 512,
        entrypoint: ['/bin/bash', '-c'],
        keepOnFailure: true,
      },
    });
    expect(jobSpec(job('J2', 'plain'))).toMatchObject({
      pool: 'default',
      tags: [],
      maxConcurrent: 0,
      docker: { pullPolicy: PullPolicy.IF_NOT_PRESENT, cpus: 0, memoryMib: 0, entrypoint: [], keepOnFailure: false },
    });
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      timeoutSec: null,
      concurrency: null,
      retention: null,
      git: null,
      webhookSecretSetAt: null,
      createdAt: at,
      updatedAt: at,
      stages: [
        {
          name: 's',
          entries: [
            entry({ name: 'as-is', jobId: 'J1' }),
            entry({ name: 'moved', jobId: 'J1', pool: 'arm', tags: ['x86', 'big-mem'] }),
          ],
        },
      ],
    };
    const [asIs, moved] = buildSnapshot(pipeline, new Map([['J1', built]])).stages[0]?.entries ?? [];
    expect(asIs?.job).toMatchObject({ pool: 'linux', tags: ['gpu', 'x86'] });
    expect(moved?.job).toMatchObject({ pool: 'arm', tags: ['gpu', 'x86', 'big-mem'] });
    // The job's own spec is not changed by an entry.
    expect(built.tags).toEqual(['gpu', 'x86']);
  });
});
