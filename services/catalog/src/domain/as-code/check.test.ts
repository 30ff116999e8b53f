import { describe, expect, it } from 'vitest';
import { readDefinitions, type KnownNames } from './check.js';
import { formatProblem } from './problems.js';

const NONE: KnownNames = { jobs: new Set(), pipelines: new Set() };

function problems(text: string, known = NONE): string[] {
  const read = readDefinitions(text, known);
  return read.ok ? [] : read.problems.map((p) => formatProblem(p));
}

const JOBS = `version: 1
jobs:
  build: { command: make }
  test: { command: make test }
`;

describe('readDefinitions (semantic checks by the domain validators)', () => {
  it('names the line and field of an unknown need, a cycle and a need on a later stage', () => {
    expect(
      problems(`${JOBS}pipelines:
  ci:
    stages:
      - name: one
        jobs:
          - job: build
          - job: test
            needs: [deploy]
  loop:
    stages:
      - name: s
        jobs:
          - job: build
            needs: [test]
          - job: test
            needs: [build]
  later:
    stages:
      - name: first
        jobs:
          - job: build
            needs: [test]
      - name: second
        jobs:
          - job: test
`),
    ).toEqual([
      'fluxi.yaml:12:21 pipelines.ci.stages[0].jobs[1].needs[0]: entry "test" needs "deploy", which is not an entry of this pipeline',
      'fluxi.yaml:18:21 pipelines.loop.stages[0].jobs[0].needs[0]: needs form a cycle: "build" → "test" → "build"',
      'fluxi.yaml:26:21 pipelines.later.stages[0].jobs[0].needs[0]: entry "build" (stage "first") needs "test" of the ' +
        'later stage "second"; an entry can only need entries of its own or an earlier stage',
    ]);
  });

  it('names the line and field of a bad pool, tag or docker option', () => {
    expect(
      problems(`version: 1
jobs:
  gpu:
    command: train
    image: cuda:12
    pool: Big_Pool
  tagged:
    command: x
    tags: [gpu, gpu]
  docked:
    command: x
    image: alpine
    docker: { cpus: 0, pullPolicy: always }
  imageless:
    command: x
    docker: { memoryMiB: 64 }
pipelines:
  ci: { stages: [{ name: s, jobs: [{ job: tagged, pool: "a--b" }] }] }
`),
    ).toEqual([
      'fluxi.yaml:6:11 jobs.gpu.pool: pool "Big_Pool" is invalid: use 1-63 lowercase letters and digits, with single "-" between them',
      'fluxi.yaml:9:17 jobs.tagged.tags[1]: tag "gpu" is listed twice',
      'fluxi.yaml:13:21 jobs.docked.docker.cpus: cpus must be a number above 0 and at most 256, got 0',
      'fluxi.yaml:16:13 jobs.imageless.docker: docker options apply to a job with an image: set image, or remove docker',
      'fluxi.yaml:18:57 pipelines.ci.stages[0].jobs[0].pool: pool "a--b" is invalid: use 1-63 lowercase letters and digits, with single "-" between them',
    ]);
  });

  it('names the line of a bad cron, an unknown pipeline and a bad schedule name', () => {
    expect(
      problems(`${JOBS}pipelines:
  ci: { stages: [{ name: s, jobs: [{ job: build }] }] }
schedules:
  nightly: { pipeline: ci, cron: "61 3 * * *" }
  other:
    pipeline: missing
    cron: "@daily"
  "bad name": { pipeline: ci, at: 2026-01-01T00:00:00Z }
  both: { pipeline: ci, cron: "@daily", at: 2026-01-01T00:00:00Z }
  jobs:
    targets: [{ pipeline: ci }, { job: gone }]
    cron: "0 0 15W * *"
    overlap: queue
`),
    ).toEqual([
      'fluxi.yaml:8:34 schedules.nightly.cron: cron "61 3 * * *" is invalid: Invalid value for minute: 61',
      'fluxi.yaml:10:15 schedules.other.pipeline: pipeline "missing" is neither in the file nor in the catalog',
      'fluxi.yaml:12:3 schedules["bad name"]: schedule name "bad name" is invalid: use 1-100 characters from letters, ' +
        'digits, "_", "." and "-", starting with a letter or a digit',
      'fluxi.yaml:13:45 schedules.both.at: set either cron or at, not both',
      'fluxi.yaml:15:40 schedules.jobs.targets[1].job: job "gone" is neither in the file nor in the catalog',
    ]);
  });

  it('maps job fields: env names to their key, retry and artifacts to their value', () => {
    expect(
      problems(`version: 1
jobs:
  build:
    command: make
    env: { OK: "1", 9LIVES: x }
  test:
    command: make test
    retry: { on: [timeout], exitCodes: [1] }
  pack:
    command: tar
    artifacts: [dist, ../up]
  "-bad": { command: x }
  blank: { command: "  " }
`),
    ).toEqual([
      'fluxi.yaml:5:21 jobs.build.env["9LIVES"]: environment variable name "9LIVES" is invalid: use a shell identifier: ' +
        'letters, digits and "_", not starting with a digit',
      'fluxi.yaml:8:40 jobs.test.retry.exitCodes: exitCodes only apply to JOB failures: add JOB to retry on, or remove exitCodes',
      'fluxi.yaml:11:23 jobs.pack.artifacts[1]: artifact path "../up" must not contain ".." segments',
      'fluxi.yaml:12:3 jobs["-bad"]: job name "-bad" is invalid: use 1-100 characters from letters, digits, "_", "." and "-", ' +
        'starting with a letter or a digit',
      'fluxi.yaml:13:21 jobs.blank.command: command is required and must not be blank',
    ]);
  });

  it('maps entry fields: the job, the matrix axes, and names defaulting to the job', () => {
    expect(
      problems(`${JOBS}pipelines:
  ci:
    stages:
      - name: s
        jobs:
          - job: deploy
          - job: build
            matrix: { node: ["18"], "bad-axis": [x] }
          - job: test
            matrix: { node: [] }
          - job: build
`),
    ).toEqual(['fluxi.yaml:10:18 pipelines.ci.stages[0].jobs[0].job: job deploy does not exist']);
    expect(
      problems(`${JOBS}pipelines:
  a: { stages: [{ name: s, jobs: [{ job: build, matrix: { node: ["18"], "bad-axis": [x] } }] }] }
  b: { stages: [{ name: s, jobs: [{ job: test, matrix: { node: [] } }] }] }
  c: { stages: [{ name: s, jobs: [{ job: build }, { job: build }] }] }
  d: { stages: [{ name: s, jobs: [{ job: build, name: x }, { job: test, name: x }] }] }
`),
    ).toEqual([
      'fluxi.yaml:6:73 pipelines.a.stages[0].jobs[0].matrix.bad-axis: matrix axis name "bad-axis" is invalid: use a shell ' +
        'identifier: letters, digits and "_", not starting with a digit',
      'fluxi.yaml:7:64 pipelines.b.stages[0].jobs[0].matrix.node: matrix axis node needs at least one value',
      'fluxi.yaml:8:58 pipelines.c.stages[0].jobs[1].job: entry name "build" is used twice (stages[0].entries[0] and ' +
        'stages[0].entries[1]); give one of them a distinct name',
      'fluxi.yaml:9:79 pipelines.d.stages[0].jobs[1].name: entry name "x" is used twice (stages[0].entries[0] and ' +
        'stages[0].entries[1]); give one of them a distinct name',
    ]);
  });

  it('accepts references to jobs and pipelines the catalog already has', () => {
    const text = `version: 1
pipelines:
  ci: { stages: [{ name: s, jobs: [{ job: build }] }] }
schedules:
  nightly: { pipeline: release, cron: "0 3 * * *" }
`;
    expect(problems(text)).toHaveLength(2);
    const read = readDefinitions(text, { jobs: new Set(['build']), pipelines: new Set(['release']) });
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.definitions.pipelines.get('ci')?.stages[0]?.entries[0]).toMatchObject({
      name: 'build',
      jobId: 'build',
    });
    expect(read.definitions.schedules.get('nightly')).toMatchObject({
      targets: [{ pipelineId: 'release', jobId: null }],
      cron: '0 3 * * *',
    });
  });
});
