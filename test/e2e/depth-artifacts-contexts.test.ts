import { expect, it } from 'vitest';
import { firstError } from './client.js';
import { describeOnBothStores } from './fixture.js';

/** Issue 3 through the gateway, as a client sees it: matrix, artifacts, contexts and pipelines as code. */
describeOnBothStores('matrix, artifacts, contexts and pipelines as code, through the gateway', (fluxi) => {
  it('expands a matrix into one job run per combination', async () => {
    const test = await fluxi.api.createJob({ name: 'mx-test', command: 'echo "node=$node os=$os"' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'matrix',
      stages: [
        {
          name: 'test',
          entries: [
            {
              jobId: test,
              matrix: [
                { name: 'node', values: ['18', '20'] },
                { name: 'os', values: ['linux'] },
              ],
            },
          ],
        },
      ],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    expect(run.jobRuns.map((j) => [j.name, j.entry, j.matrix])).toEqual([
      [
        'mx-test [node=18, os=linux]',
        'mx-test',
        [
          { name: 'node', value: '18' },
          { name: 'os', value: 'linux' },
        ],
      ],
      [
        'mx-test [node=20, os=linux]',
        'mx-test',
        [
          { name: 'node', value: '20' },
          { name: 'os', value: 'linux' },
        ],
      ],
    ]);
    expect(await fluxi.api.logs(run.jobRuns[1]!.id, (l) => l.length > 0)).toContain('node=20 os=linux');
  });

  it('saves artifacts, lists them on the job run, hands them to what needs it, and serves them', async () => {
    const build = await fluxi.api.createJob({
      name: 'art-build',
      command: 'mkdir -p dist/sub && echo hello-artifact > dist/sub/app.txt && echo log > build.log',
      artifacts: ['dist/', 'missing/*.bin'],
    });
    const use = await fluxi.api.createJob({ name: 'art-use', command: 'cat dist/sub/app.txt' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'artifacts',
      stages: [
        { name: 'build', entries: [{ jobId: build }] },
        { name: 'use', entries: [{ jobId: use }] },
      ],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    const built = run.jobRuns[0]!;
    expect(built.artifacts).toEqual([
      { path: 'dist/sub/app.txt', sizeBytes: 15, downloadPath: `/artifacts/${built.id}/dist/sub/app.txt` },
    ]);
    expect(await fluxi.api.logs(run.jobRuns[1]!.id, (l) => l.length > 0)).toContain('hello-artifact');
    const url = `${fluxi.system.url as string}${built.artifacts[0]!.downloadPath}`;
    const download = await fetch(url, { headers: { authorization: `Bearer ${fluxi.system.adminKey as string}` } });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('hello-artifact\n');
    expect((await fetch(url)).status).toBe(401);
    const traversal = await fetch(`${fluxi.system.url as string}/artifacts/${built.id}/..%2F..%2Fadmin-api-key`, {
      headers: { authorization: `Bearer ${fluxi.system.adminKey as string}` },
    });
    expect([400, 404]).toContain(traversal.status);
    const missing = await fetch(`${fluxi.system.url as string}/artifacts/${built.id}/dist/none.txt`, {
      headers: { authorization: `Bearer ${fluxi.system.adminKey as string}` },
    });
    expect(missing.status).toBe(404);
  });

  it('resolves $$(name) from an earlier job, never re-parses a value, and fails on an unknown one', async () => {
    const producer = await fluxi.api.createJob({ name: 'ctx-producer', command: "printf 'v1-\\044\\044(ctx-secret)'" });
    const consumer = await fluxi.api.createJob({ name: 'ctx-consumer', command: 'echo "got [$$(ctx-producer)]"' });
    const unknown = await fluxi.api.createJob({
      name: 'ctx-unknown',
      command: 'echo "$$(no-such-context)"',
      allowFailure: true,
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'contexts',
      stages: [
        { name: 'one', entries: [{ jobId: producer }] },
        { name: 'two', entries: [{ jobId: consumer }, { jobId: unknown }] },
      ],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    expect(await fluxi.api.logs(run.jobRuns[1]!.id, (l) => l.length > 0)).toContain('got [v1-$$(ctx-secret)]');
    expect(run.jobRuns[2]).toMatchObject({ status: 'FAILED', failureClass: 'JOB' });
    expect(run.jobRuns[2]!.reason).toMatch(/no-such-context/);

    type Ctx = {
      id: string;
      kind: string;
      value: string;
      sizeBytes: number;
      jobRunId: string | null;
      parts: { name: string }[];
    };
    const read = async (name: string) =>
      (
        await fluxi.api.gql.request<{ context: Ctx | null }>(
          'query ($name: String!) { context(name: $name) { id kind value sizeBytes jobRunId parts { name } } }',
          { name },
        )
      ).context;
    const job = await read('ctx-producer');
    expect(job).toMatchObject({ kind: 'JOB', value: 'v1-$$(ctx-secret)', sizeBytes: 17, jobRunId: run.jobRuns[0]!.id });
    expect(job!.id).toMatch(/^CJ/);
    expect(await read(job!.id)).toMatchObject({ value: 'v1-$$(ctx-secret)' });
    const pipeline = await read('contexts');
    expect(pipeline!.id).toMatch(/^CP/);
    expect(pipeline!.kind).toBe('PIPELINE');
    expect(pipeline!.parts.map((p) => p.name)).toEqual(['ctx-producer', 'ctx-consumer', 'ctx-unknown']);

    // By context id and by pipeline name, in a later run of a single job.
    const byId = await fluxi.api.createJob({
      name: 'ctx-by-id',
      command: `echo "id=$$(${job!.id}) pipeline=$$(contexts)"`,
    });
    const single = await fluxi.api.ended(await fluxi.api.triggerJob(byId));
    const printed = await fluxi.api.logs(single.jobRuns[0]!.id, (l) => l.some((x) => x.startsWith('id=')));
    expect(printed.find((x) => x.startsWith('id='))).toMatch(/^id=v1-\$\$\(ctx-secret\) pipeline=/);
    const { contexts } = await fluxi.api.gql.request<{ contexts: { name: string; kind: string }[] }>(
      '{ contexts { name kind } }',
    );
    expect(contexts).toEqual(
      expect.arrayContaining([
        { name: 'ctx-producer', kind: 'JOB' },
        { name: 'contexts', kind: 'PIPELINE' },
      ]),
    );

    const { resetContext } = await fluxi.api.gql.request<{ resetContext: Ctx }>(
      'mutation { resetContext(name: "ctx-producer") { id kind value sizeBytes jobRunId parts { name } } }',
    );
    expect(resetContext).toMatchObject({ id: job!.id, value: '', sizeBytes: 0, jobRunId: null });
    expect(await read('ctx-producer')).toMatchObject({ value: '' });
  });

  it('cuts a context at the size cap and says so', async () => {
    const big = await fluxi.api.createJob({ name: 'ctx-big', command: "head -c 70000 /dev/zero | tr '\\0' a" });
    expect((await fluxi.api.ended(await fluxi.api.triggerJob(big))).status).toBe('SUCCESS');
    const { context } = await fluxi.api.gql.request<{
      context: { value: string; sizeBytes: number; truncated: boolean; note: string | null };
    }>('{ context(name: "ctx-big") { value sizeBytes truncated note } }');
    expect(context).toMatchObject({ sizeBytes: 70_000, truncated: true });
    expect(context.value).toHaveLength(65_536);
    expect(context.note).toMatch(/cut at 65536 of 70000 bytes/);
  });

  it('imports pipelines as code through the gateway and runs them', async () => {
    const yaml = [
      'version: 1',
      'jobs:',
      '  code-build:',
      '    command: echo built-from-yaml',
      '  code-test:',
      '    command: echo "tested $$(code-build)"',
      'pipelines:',
      '  from-yaml:',
      '    stages:',
      '      - name: build',
      '        jobs: [{ job: code-build }]',
      '      - name: test',
      '        jobs: [{ job: code-test, needs: [code-build] }]',
      '',
    ].join('\n');
    type Imported = {
      importDefinitions: { dryRun: boolean; changes: { kind: string; name: string; action: string }[] };
    };
    const importYaml = (dryRun: boolean) =>
      fluxi.api.gql.request<Imported>(
        'mutation ($yaml: String!, $dryRun: Boolean) { importDefinitions(yaml: $yaml, dryRun: $dryRun) { dryRun changes { kind name action } } }',
        { yaml, dryRun },
      );
    const dry = await importYaml(true);
    expect(dry.importDefinitions.changes.map((c) => [c.kind, c.name, c.action])).toEqual([
      ['job', 'code-build', 'create'],
      ['job', 'code-test', 'create'],
      ['pipeline', 'from-yaml', 'create'],
    ]);
    const { pipelines: before } = await fluxi.api.gql.request<{ pipelines: { name: string }[] }>(
      '{ pipelines { name } }',
    );
    expect(before.map((p) => p.name)).not.toContain('from-yaml');
    await importYaml(false);
    expect((await importYaml(false)).importDefinitions.changes.every((c) => c.action === 'unchanged')).toBe(true);
    const { pipelines } = await fluxi.api.gql.request<{ pipelines: { id: string; name: string }[] }>(
      '{ pipelines { id name } }',
    );
    const imported = pipelines.find((p) => p.name === 'from-yaml');
    const run = await fluxi.api.ended((await fluxi.api.trigger(imported!.id)).id);
    expect(run.status).toBe('SUCCESS');
    expect(await fluxi.api.logs(run.jobRuns[1]!.id, (l) => l.length > 0)).toContain('tested built-from-yaml');

    const invalid = await firstError(
      fluxi.api.gql.request('mutation ($yaml: String!) { importDefinitions(yaml: $yaml) { dryRun } }', {
        yaml: yaml.replace('needs: [code-build]', 'needs: [nope]'),
      }),
    );
    expect(invalid.code).toBe('BAD_USER_INPUT');
    expect(invalid.field).toBe('pipelines.from-yaml.stages[1].jobs[0].needs[0]');
    expect(invalid.message).toMatch(/:13:\d+/);
    expect(invalid.line).toBe(13);
  });
});
