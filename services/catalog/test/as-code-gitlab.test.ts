import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCodeCalls } from './as-code-fixture.js';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

/** Pipelines as code from GitLab CI: a .gitlab-ci.yml imported as jobs and one pipeline. */

const gitlabFixture = (name: string) =>
  readFileSync(new URL(`../src/domain/as-code/gitlab/testdata/${name}`, import.meta.url), 'utf8');

describe.each(backends)('pipelines as code through GraphQL on $name', (kind) => {
  let catalog: CatalogHarness;
  const { counts } = asCodeCalls(() => catalog);

  beforeAll(async () => {
    catalog = await startCatalog(kind);
  });

  afterAll(async () => {
    await catalog?.stop();
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
});
