import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCodeCalls, FLUXI_YAML, IMPORT } from './as-code-fixture.js';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

/**
 * Pipelines as code, checked before anything is written: the published JSON Schema, validation with
 * line and column, dry runs, refused files and refused readers. Import and export: as-code-import-export.test.ts.
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

  it('refuses imports to a reader', async () => {
    const error = await catalog.fail(IMPORT, { yaml: FLUXI_YAML, dryRun: true }, READER);
    expect(error.extensions?.code).toBe('FORBIDDEN');
  });
});
