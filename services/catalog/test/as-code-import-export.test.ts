import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCodeCalls, FLUXI_YAML, IMPORT } from './as-code-fixture.js';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

/**
 * Pipelines as code: importing a fluxi.yaml, exporting it and importing the export again unchanged,
 * updates by name, and a pipeline's retention. Validation and refusals: as-code-validation.test.ts.
 */

describe.each(backends)('pipelines as code through GraphQL on $name', (kind) => {
  let catalog: CatalogHarness;
  const { counts, importYaml, exportYaml } = asCodeCalls(() => catalog);

  beforeAll(async () => {
    catalog = await startCatalog(kind);
  });

  afterAll(async () => {
    await catalog?.stop();
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
});
