import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CORPUS } from '../../services/catalog/test/gitlab-corpus/expectations.js';
import { describeOnBothStores } from './fixture.js';
import type { FluxiApi } from './fluxi-api.js';

const corpusFile = (file: string) =>
  readFileSync(new URL(`../../services/catalog/test/gitlab-corpus/${file}`, import.meta.url), 'utf8');

const IMPORT = `mutation ($yaml: String!, $name: String!) {
  importGitlabCi(yaml: $yaml, pipelineName: $name) { notMapped result { changes { kind name action } } }
}`;

/** The corpus files with expected statuses: imported through the gateway, run, and their job runs checked. */
const RUN = CORPUS.filter((c) => c.statuses !== undefined);

type Run = Awaited<ReturnType<FluxiApi['run']>>;
const seen = (run: Run) => ({
  status: run.status,
  jobs: Object.fromEntries(run.jobRuns.map((jobRun) => [jobRun.name, jobRun.status])),
});

describeOnBothStores('GitLab CI corpus: converted files run as GitLab would run them', (fluxi) => {
  it.each(RUN)('$file: $runStatus with the expected job statuses', async ({ file, statuses, runStatus, played }) => {
    const name = `corpus-${file.replace(/\.yml$/, '')}`;
    await fluxi.api.gql.request(IMPORT, { yaml: corpusFile(file), name });
    const { pipelines } = await fluxi.api.gql.request<{ pipelines: { id: string; name: string }[] }>(
      '{ pipelines { id name } }',
    );
    const pipeline = pipelines.find((p) => p.name === name);
    expect(pipeline).toBeDefined();
    const { id } = await fluxi.api.trigger(pipeline!.id);
    // A run held by a manual job run does not end: wait for that job run instead.
    const holding = ['MANUAL', 'QUEUED', 'RUNNING'].includes(runStatus ?? '') ? played?.jobRun : undefined;
    if (holding !== undefined) await fluxi.api.jobRunIn(id, holding, 'MANUAL');
    const run = holding === undefined ? await fluxi.api.ended(id) : await fluxi.api.run(id);
    expect(seen(run)).toEqual({ status: runStatus, jobs: statuses });
    if (played === undefined) return;
    const manual = run.jobRuns.find((jobRun) => jobRun.name === played.jobRun);
    await fluxi.api.gql.request('mutation ($id: ID!) { playJobRun(id: $id) { status } }', { id: manual!.id });
    const after = await fluxi.api.ended(id);
    expect(seen(after)).toEqual({ status: played.runStatus, jobs: played.statuses });
  });
});
