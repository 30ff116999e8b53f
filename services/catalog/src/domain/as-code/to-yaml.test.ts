import { describe, expect, it } from 'vitest';
import { validateJob } from '../job.js';
import { validatePipeline } from '../pipeline.js';
import { validateSchedule } from '../schedule.js';
import { readDefinitions } from './check.js';
import type { NamedDefinitions } from './definitions.js';
import { definitionsToYaml } from './to-yaml.js';

const JOB_NAMES = new Map(['build', 'test', '10', '9'].map((name) => [name, name]));

function catalog(order: 'forward' | 'backward'): NamedDefinitions {
  const jobs = [
    validateJob({ name: 'test', command: 'make test', maxAttempts: 1, allowFailure: false }),
    validateJob({
      name: 'build',
      command: 'npm ci\nnpm run build\n',
      image: 'node:20',
      env: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'CI', value: 'true' },
      ],
      timeoutSec: 600,
      maxAttempts: 3,
      retry: { on: ['JOB'], exitCodes: [137], backoff: 'EXPONENTIAL', delaySec: 1.5, maxDelaySec: 30, jitter: true },
      artifacts: ['dist/**'],
      pool: 'linux-docker',
      tags: ['gpu', 'arm64'],
      maxConcurrent: 2,
      docker: { pullPolicy: 'ALWAYS', cpus: 1.5, memoryMiB: 512, entrypoint: ['/bin/bash', '-c'], keepOnFailure: true },
    }),
    validateJob({ name: '10', command: 'ten', image: 'alpine', docker: { memoryMiB: 64 } }),
    validateJob({ name: '9', command: 'nine', retry: { on: [], delaySec: 0 } }),
  ];
  const pipeline = validatePipeline(
    {
      name: 'ci',
      timeoutSec: 3600,
      concurrency: { group: 'main', cancelOlder: true },
      stages: [
        {
          name: 'build',
          entries: [
            { jobId: 'build', matrix: [{ name: 'NODE', values: ['20', '18'] }], allowFailure: false },
            { jobId: 'test', name: 'test-unit', needs: ['build'], when: 'ALWAYS', pool: 'arm', tags: ['big-mem'] },
          ],
        },
      ],
    },
    JOB_NAMES,
  );
  const schedules = [
    validateSchedule({ name: 'nightly', pipelineId: 'ci', cron: '0 3 * * *', timezone: 'Europe/Paris' }),
    validateSchedule({ name: 'once', pipelineId: 'ci', at: '2026-12-01T10:00:00Z', enabled: false }, 'input', {
      allowPast: true,
    }),
    validateSchedule({
      name: 'together',
      targets: [{ pipelineId: 'ci' }, { jobId: 'build' }],
      cron: '*/10 * * * * *',
      overlap: 'SKIP',
      missedFires: 'ALL',
    }),
  ];
  if (order === 'backward') {
    jobs.reverse();
    schedules.reverse();
  }
  return {
    jobs: new Map(jobs.map((job) => [job.name, job])),
    pipelines: new Map([['ci', pipeline]]),
    schedules: new Map(schedules.map((schedule) => [schedule.name, schedule])),
  };
}

const EXPECTED = `version: 1
jobs:
  "10":
    command: ten
    image: alpine
    docker:
      memoryMiB: 64
  "9":
    command: nine
  build:
    command: |
      npm ci
      npm run build
    image: node:20
    env:
      NODE_ENV: production
      CI: "true"
    timeoutSec: 600
    maxAttempts: 3
    retry:
      on: [job]
      exitCodes: [137]
      backoff: exponential
      delaySec: 1.5
      maxDelaySec: 30
      jitter: true
    artifacts: [dist/**]
    pool: linux-docker
    tags: [gpu, arm64]
    maxConcurrent: 2
    docker:
      pullPolicy: always
      cpus: 1.5
      memoryMiB: 512
      entrypoint: [/bin/bash, -c]
      keepOnFailure: true
  test:
    command: make test
pipelines:
  ci:
    timeoutSec: 3600
    concurrency:
      group: main
      cancelOlder: true
    stages:
      - name: build
        jobs:
          - job: build
            allowFailure: false
            matrix:
              NODE: ["20", "18"]
          - job: test
            name: test-unit
            needs: [build]
            when: always
            pool: arm
            tags: [big-mem]
schedules:
  nightly:
    pipeline: ci
    cron: 0 3 * * *
    timezone: Europe/Paris
  once:
    pipeline: ci
    at: 2026-12-01T10:00:00.000Z
    enabled: false
  together:
    targets:
      - pipeline: ci
      - job: build
    cron: "*/10 * * * * *"
    overlap: skip
    missedFires: all
`;

describe('definitionsToYaml', () => {
  it('sorts by name (code units, so "10" before "9") and leaves defaults out', () => {
    expect(definitionsToYaml(catalog('forward'))).toBe(EXPECTED);
  });

  it('gives the same bytes whatever order the definitions come in', () => {
    expect(definitionsToYaml(catalog('backward'))).toBe(definitionsToYaml(catalog('forward')));
  });

  it('reads back into the same definitions', () => {
    const read = readDefinitions(EXPECTED, { jobs: new Set(), pipelines: new Set() });
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    expect(read.definitions).toEqual(catalog('forward'));
    expect(definitionsToYaml(read.definitions)).toBe(EXPECTED);
  });

  it('writes an empty catalog as the version alone', () => {
    expect(definitionsToYaml({ jobs: new Map(), pipelines: new Map(), schedules: new Map() })).toBe('version: 1\n');
  });
});
