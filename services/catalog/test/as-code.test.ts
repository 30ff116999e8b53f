import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

const FLUXI_YAML = `version: 1
jobs:
  build:
    command: make build
    image: node:20
    env: { CI: "true" }
    timeoutSec: 600
    maxAttempts: 3
    retry: { on: [job, infrastructure], exitCodes: [137], backoff: exponential, delaySec: 1, maxDelaySec: 30, jitter: true }
    artifacts: [dist/**]
    pool: linux-docker
    tags: [arm64]
    maxConcurrent: 2
    docker: { pullPolicy: always, cpus: 1.5, memoryMiB: 2048, entrypoint: [/bin/bash, -c], keepOnFailure: true }
  lint:
    command: |
      npm ci
      npm run lint
pipelines:
  ci:
    description: Build and test
    timeoutSec: 3600
    concurrency: { group: deploy-production }
    stages:
      - name: check
        jobs: [{ job: lint }]
      - name: build
        jobs:
          - job: build
            name: build-app
            needs: [lint]
            when: always
            allowFailure: true
            matrix: { node: ["18", "20"] }
            pool: linux-big
            tags: [gpu]
schedules:
  nightly: { pipeline: ci, cron: "0 3 * * *", timezone: Europe/Paris }
`;

const IMPORT = `mutation ($yaml: String!, $dryRun: Boolean) {
  importDefinitions(yaml: $yaml, dryRun: $dryRun) { dryRun changes { kind name action fields } }
}`;
const EXPORT = '{ exportDefinitions }';
const COUNTS = '{ jobs { id } pipelines { id } schedules { id } }';

const gitlabFixture = (name: string) =>
  readFileSync(new URL(`../src/domain/as-code/gitlab/testdata/${name}`, import.meta.url), 'utf8');

describe.each(backends)('pipelines as code through GraphQL on $name', (kind) => {
  let catalog: CatalogHarness;

  const counts = async (): Promise<number[]> => {
    const data = await catalog.ok(COUNTS, {}, READER);
    return [data.jobs.length, data.pipelines.length, data.schedules.length];
  };
  const importYaml = async (yaml: string, dryRun = false) =>
    (await catalog.ok(IMPORT, { yaml, dryRun })).importDefinitions;
  const exportYaml = async (): Promise<string> => (await catalog.ok(EXPORT, {}, READER)).exportDefinitions;

  beforeAll(async () => {
    catalog = await startCatalog(kind);
  });

  afterAll(async () => {
    await catalog?.stop();
  });

  it('publishes the JSON Schema of fluxi.yaml', async () => {
    const schema = JSON.parse((await catalog.ok('{ definitionsSchema }', {}, READER)).definitionsSchema);
    const committed: unknown = JSON.parse(readFileSync(new URL('../docs/fluxi.schema.json', import.meta.url), 'utf8'));
    expect(schema).toEqual(committed);
  });

  it('validates a file, giving line, column and field of each problem', async () => {
    const query = 'query ($yaml: String!) { validateDefinitions(yaml: $yaml) { line column field message } }';
    expect((await catalog.ok(query, { yaml: FLUXI_YAML }, READER)).validateDefinitions).toEqual([]);
    const broken = FLUXI_YAML.replace('needs: [lint]', 'needs: [deploy]').replace(
      'timeoutSec: 600',
      'timeoutSec: "600"',
    );
    expect((await catalog.ok(query, { yaml: broken }, READER)).validateDefinitions).toEqual([
      { line: 7, column: 17, field: 'jobs.build.timeoutSec', message: 'expected a number, got the string "600"' },
    ]);
    const semantic = FLUXI_YAML.replace('needs: [lint]', 'needs: [deploy]');
    expect((await catalog.ok(query, { yaml: semantic }, READER)).validateDefinitions).toEqual([
      {
        line: 31,
        column: 21,
        field: 'pipelines.ci.stages[1].jobs[0].needs[0]',
        message: 'entry "build-app" needs "deploy", which is not an entry of this pipeline',
      },
    ]);
  });

  it('writes nothing on a dry run and reports the changes', async () => {
    const before = await counts();
    expect(await importYaml(FLUXI_YAML, true)).toEqual({
      dryRun: true,
      changes: [
        { kind: 'job', name: 'build', action: 'create', fields: [] },
        { kind: 'job', name: 'lint', action: 'create', fields: [] },
        { kind: 'pipeline', name: 'ci', action: 'create', fields: [] },
        { kind: 'schedule', name: 'nightly', action: 'create', fields: [] },
      ],
    });
    expect(await counts()).toEqual(before);
    expect(await exportYaml()).toBe('version: 1\n');
  });

  it('refuses an invalid file with its field and line, writing nothing', async () => {
    const before = await counts();
    const cyclic = `version: 1
jobs:
  a: { command: x }
  b: { command: y }
pipelines:
  loop:
    stages:
      - name: all
        jobs:
          - job: a
            needs: [b]
          - job: b
            needs: [a]
`;
    const error = await catalog.fail(IMPORT, { yaml: cyclic });
    expect(error.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'pipelines.loop.stages[0].jobs[0].needs[0]',
      line: 11,
      column: 21,
    });
    expect(error.message).toBe(
      'fluxi.yaml:11:21 pipelines.loop.stages[0].jobs[0].needs[0]: needs form a cycle: "a" → "b" → "a"',
    );
    const badCron = await catalog.fail(IMPORT, { yaml: FLUXI_YAML.replace('0 3 * * *', '0 25 * * *') });
    expect(badCron.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'schedules.nightly.cron',
      line: 38,
      column: 34,
    });
    expect(badCron.message).toMatch(/^fluxi\.yaml:38:34 schedules\.nightly\.cron: cron "0 25 \* \* \*" is invalid/);
    expect(await counts()).toEqual(before);
  });

  it('imports, exports, and imports its export again unchanged, byte for byte', async () => {
    const first = await importYaml(FLUXI_YAML);
    expect(first.changes.map((change: { action: string }) => change.action)).toEqual([
      'create',
      'create',
      'create',
      'create',
    ]);
    expect(await counts()).toEqual([2, 1, 1]);
    const exported = await exportYaml();
    expect(exported).toContain('  build:\n    command: make build\n');
    const again = await importYaml(exported);
    expect(again.changes).toEqual([
      { kind: 'job', name: 'build', action: 'unchanged', fields: [] },
      { kind: 'job', name: 'lint', action: 'unchanged', fields: [] },
      { kind: 'pipeline', name: 'ci', action: 'unchanged', fields: [] },
      { kind: 'schedule', name: 'nightly', action: 'unchanged', fields: [] },
    ]);
    expect(await exportYaml()).toBe(exported);

    const read = await catalog.ok(
      `{ pipelines { name timeoutSec concurrency { group cancelOlder } stages { name entries { name when allowFailure matrix { name values } pool tags job { name retry { on exitCodes backoff delaySec maxDelaySec jitter } artifacts pool tags maxConcurrent docker { pullPolicy cpus memoryMiB entrypoint keepOnFailure } } } } } }`,
      {},
      READER,
    );
    expect(read.pipelines[0]).toMatchObject({
      name: 'ci',
      timeoutSec: 3600,
      concurrency: { group: 'deploy-production', cancelOlder: false },
    });
    expect(read.pipelines[0].stages[1].entries[0]).toEqual({
      name: 'build-app',
      when: 'ALWAYS',
      allowFailure: true,
      matrix: [{ name: 'node', values: ['18', '20'] }],
      pool: 'linux-big',
      tags: ['gpu'],
      job: {
        name: 'build',
        pool: 'linux-docker',
        tags: ['arm64'],
        maxConcurrent: 2,
        docker: {
          pullPolicy: 'ALWAYS',
          cpus: 1.5,
          memoryMiB: 2048,
          entrypoint: ['/bin/bash', '-c'],
          keepOnFailure: true,
        },
        retry: {
          on: ['JOB', 'INFRASTRUCTURE'],
          exitCodes: [137],
          backoff: 'EXPONENTIAL',
          delaySec: 1,
          maxDelaySec: 30,
          jitter: true,
        },
        artifacts: ['dist/**'],
      },
    });
  });

  it('updates by name, listing the changed fields, and keeps what the file leaves out', async () => {
    const partial = `version: 1
jobs:
  lint: { command: npm run lint, maxAttempts: 2 }
schedules:
  nightly: { pipeline: ci, cron: "0 4 * * *", timezone: Europe/Paris, enabled: false }
`;
    expect((await importYaml(partial, true)).changes).toEqual([
      { kind: 'job', name: 'lint', action: 'update', fields: ['command', 'maxAttempts'] },
      { kind: 'schedule', name: 'nightly', action: 'update', fields: ['cron', 'enabled'] },
    ]);
    const before = await exportYaml();
    expect(await exportYaml()).toBe(before);
    await importYaml(partial);
    const after = await exportYaml();
    expect(after).toContain('  lint:\n    command: npm run lint\n    maxAttempts: 2\n');
    expect(after).toContain('  build:\n    command: make build\n');
    expect(await counts()).toEqual([2, 1, 1]);
  });

  it('imports a .gitlab-ci.yml as jobs and one pipeline', async () => {
    const mutation = `mutation ($yaml: String!, $name: String!, $dryRun: Boolean) {
      importGitlabCi(yaml: $yaml, pipelineName: $name, dryRun: $dryRun) {
        fluxiYaml notMapped result { dryRun changes { kind name action } }
      }
    }`;
    const yaml = gitlabFixture('deploy.gitlab-ci.yml');
    const before = await counts();
    const dry = (await catalog.ok(mutation, { yaml, name: 'shop-api', dryRun: true })).importGitlabCi;
    expect(dry.result.dryRun).toBe(true);
    expect(await counts()).toEqual(before);
    const done = (await catalog.ok(mutation, { yaml, name: 'shop-api' })).importGitlabCi;
    expect(done.fluxiYaml).toBe(dry.fluxiYaml);
    expect(done.notMapped).toContain('unit tests: renamed unit-tests (Fluxi names use letters, digits, _ . -)');
    expect(done.result.changes).toContainEqual({ kind: 'pipeline', name: 'shop-api', action: 'create' });
    expect(done.result.changes.filter((c: { kind: string }) => c.kind === 'job')).toHaveLength(6);
    const pipelines = (
      await catalog.ok('{ pipelines { name stages { name entries { name needs when } } } }', {}, READER)
    ).pipelines as Array<{ name: string; stages: unknown[] }>;
    expect(pipelines.find((p) => p.name === 'shop-api')?.stages).toEqual([
      { name: 'build', entries: [{ name: 'build-image', needs: [], when: 'ON_SUCCESS' }] },
      {
        name: 'test',
        entries: [
          { name: 'unit-tests', needs: ['build-image'], when: 'ON_SUCCESS' },
          { name: 'smoke', needs: ['build-image'], when: 'ON_SUCCESS' },
        ],
      },
      {
        name: 'deploy',
        entries: [
          { name: 'deploy-staging', needs: ['unit-tests', 'smoke'], when: 'ON_SUCCESS' },
          { name: 'rollback', needs: ['deploy-staging'], when: 'ON_FAILURE' },
        ],
      },
      { name: 'verify', entries: [{ name: 'report', needs: [], when: 'ALWAYS' }] },
    ]);
    const again = (await catalog.ok(mutation, { yaml, name: 'shop-api' })).importGitlabCi;
    expect(new Set(again.result.changes.map((c: { action: string }) => c.action))).toEqual(new Set(['unchanged']));
  });

  it('never changes the jobs of another pipeline: a second import with the same job names takes its own', async () => {
    const mutation = `mutation ($yaml: String!, $name: String!) {
      importGitlabCi(yaml: $yaml, pipelineName: $name) { notMapped result { changes { kind name action } } }
    }`;
    const first = 'build-job:\n  stage: build\n  script: make\ntest:\n  script: make test\n';
    const second =
      'build-job:\n  stage: build\n  script: cargo build\ntest:\n  needs: [build-job]\n  script: cargo test\n';
    await catalog.ok(mutation, { yaml: first, name: 'iso-one' });
    const done = (await catalog.ok(mutation, { yaml: second, name: 'iso-two' })).importGitlabCi;
    expect(done.notMapped).toContain(
      'build-job: job build-job belongs to another pipeline or stands alone: imported as iso-two.build-job',
    );
    expect(done.result.changes.filter((c: { kind: string }) => c.kind === 'job')).toEqual([
      { kind: 'job', name: 'iso-two.build-job', action: 'create' },
      { kind: 'job', name: 'iso-two.test', action: 'create' },
    ]);
    const jobs = (await catalog.ok('{ jobs { name command } }', {}, READER)).jobs as Array<{
      name: string;
      command: string;
    }>;
    expect(jobs.find((j) => j.name === 'build-job')?.command).toBe('make');
    const pipelines = (
      await catalog.ok('{ pipelines { name stages { entries { name needs job { name } } } } }', {}, READER)
    ).pipelines as Array<{ name: string; stages: Array<{ entries: unknown[] }> }>;
    expect(pipelines.find((p) => p.name === 'iso-two')?.stages.flatMap((s) => s.entries)).toEqual([
      { name: 'build-job', needs: [], job: { name: 'iso-two.build-job' } },
      { name: 'test', needs: ['build-job'], job: { name: 'iso-two.test' } },
    ]);
    // Importing again for the same pipeline updates its own jobs only.
    const again = (await catalog.ok(mutation, { yaml: second, name: 'iso-two' })).importGitlabCi;
    expect(new Set(again.result.changes.map((c: { action: string }) => c.action))).toEqual(new Set(['unchanged']));
  });

  it('refuses a circular !reference with its chain, as a bad input', async () => {
    const error = await catalog.fail(
      `mutation ($yaml: String!) { importGitlabCi(yaml: $yaml, pipelineName: "loop") { notMapped } }`,
      { yaml: 'build:\n  script: !reference [build, script]\n' },
    );
    expect(error).toMatchObject({
      message: 'circular reference: build.script → build.script',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it("imports and exports a pipeline's retention, and refuses negative days with field and line", async () => {
    const yaml = `version: 1
jobs:
  tidy: { command: make tidy }
pipelines:
  kept-long:
    retention:
      runDays: 400
      logDays: 14
    stages:
      - name: all
        jobs: [{ job: tidy }]
`;
    await importYaml(yaml);
    const exported = await exportYaml();
    expect(exported).toContain('  kept-long:\n    retention:\n      runDays: 400\n      logDays: 14\n    stages:\n');
    const read = await catalog.ok('{ pipelines { name retention { runDays logDays } } }', {}, READER);
    expect(read.pipelines.find((p: { name: string }) => p.name === 'kept-long').retention).toEqual({
      runDays: 400,
      logDays: 14,
    });
    const changed = await importYaml(yaml.replace('runDays: 400', 'runDays: 30'), true);
    expect(changed.changes).toContainEqual({
      kind: 'pipeline',
      name: 'kept-long',
      action: 'update',
      fields: ['retention'],
    });

    const before = await counts();
    const error = await catalog.fail(IMPORT, { yaml: yaml.replace('logDays: 14', 'logDays: -3') });
    expect(error.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'pipelines.kept-long.retention.logDays',
      line: 8,
      column: 16,
    });
    expect(error.message).toBe(
      'fluxi.yaml:8:16 pipelines.kept-long.retention.logDays: logDays must be a whole number from 1 to 36500, got -3',
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses imports to a reader', async () => {
    const error = await catalog.fail(IMPORT, { yaml: FLUXI_YAML, dryRun: true }, READER);
    expect(error.extensions?.code).toBe('FORBIDDEN');
  });
});
