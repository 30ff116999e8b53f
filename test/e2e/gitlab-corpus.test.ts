import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CORPUS } from '../../services/catalog/test/gitlab-corpus/expectations.js';
import { describeOnBothStores } from './fixture.js';

const corpusFile = (file: string) =>
  readFileSync(new URL(`../../services/catalog/test/gitlab-corpus/${file}`, import.meta.url), 'utf8');

const IMPORT = `mutation ($yaml: String!, $name: String!) {
  importGitlabCi(yaml: $yaml, pipelineName: $name) { notMapped result { changes { kind name action } } }
}`;

/** The corpus files with expected statuses: imported through the gateway, run, and their job runs checked. */
const RUN = CORPUS.filter((c) => c.statuses !== undefined);

describeOnBothStores('GitLab CI corpus: converted files run as GitLab would run them', (fluxi) => {
  it.each(RUN)('$file ends $runStatus with the expected job statuses', async ({ file, statuses, runStatus }) => {
    const name = `corpus-${file.replace(/\.yml$/, '')}`;
    await fluxi.api.gql.request(IMPORT, { yaml: corpusFile(file), name });
    const { pipelines } = await fluxi.api.gql.request<{ pipelines: { id: string; name: string }[] }>(
      '{ pipelines { id name } }',
    );
    const pipeline = pipelines.find((p) => p.name === name);
    expect(pipeline).toBeDefined();
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipeline!.id)).id);
    const actual = Object.fromEntries(run.jobRuns.map((jobRun) => [jobRun.name, jobRun.status]));
    expect({ status: run.status, jobs: actual }).toEqual({ status: runStatus, jobs: statuses });
  });
});
