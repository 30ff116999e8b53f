import { expect, it } from 'vitest';
import { describeOnBothStores } from './fixture.js';
import { restClient, type Json } from './rest-client.js';

/** A GitLab file whose rules and scripts read a variable the trigger may give. */
const GITLAB = `
variables:
  TARGET: staging
deploy:
  script: echo "deploy target=$TARGET source=$CI_PIPELINE_SOURCE"
  rules:
    - if: $DEPLOY == "yes"
report:
  script: echo "report target=$TARGET"
on-default:
  script: echo "default=$CI_DEFAULT_BRANCH"
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`;

const IMPORT = `mutation ($yaml: String!, $name: String!) { importGitlabCi(yaml: $yaml, pipelineName: $name) { notMapped } }`;

/**
 * Issue 13, pipeline variables: given at trigger time (REST and GraphQL), seen by rules, set in
 * every job run's env over the file's own variables, shown on the run, kept by a rerun; and
 * CI_DEFAULT_BRANCH (scheduler.ciDefaultBranch, main by default) in rules and env.
 */
describeOnBothStores('pipeline variables through the gateway', (fluxi) => {
  const rest = restClient(
    () => fluxi.system.url as string,
    () => fluxi.system.adminKey as string,
  );
  const statuses = (run: Json) => Object.fromEntries((run['jobRuns'] as Json[]).map((j) => [j['name'], j['status']]));
  const output = async (run: Json, name: string) => {
    const jobRun = (run['jobRuns'] as Json[]).find((j) => j['name'] === name);
    const lines = await fluxi.api.logs(jobRun!['id'] as string, (found) => found.length > 0);
    return lines.join('\n');
  };

  it('decides rules and sets job env from the trigger variables; a rerun keeps them', async () => {
    await fluxi.api.gql.request(IMPORT, { yaml: GITLAB, name: 'variables' });
    const { pipelines } = await fluxi.api.gql.request<{ pipelines: { id: string; name: string }[] }>(
      '{ pipelines { id name } }',
    );
    const pipelineId = pipelines.find((p) => p.name === 'variables')!.id;

    const variables = [
      { name: 'TARGET', value: 'prod' },
      { name: 'DEPLOY', value: 'yes' },
    ];
    const started = await rest('POST', `/pipelines/${pipelineId}/run`, { branch: 'main', variables });
    expect(started.status, started.text).toBe(201);
    // Shown on the run, by name.
    expect(started.body['variables']).toEqual([
      { name: 'DEPLOY', value: 'yes' },
      { name: 'TARGET', value: 'prod' },
    ]);
    const run = (await rest('GET', `/pipeline-runs/${(await fluxi.api.ended(started.body['id'])).id}`)).body;
    expect(statuses(run)).toEqual({ deploy: 'SUCCESS', report: 'SUCCESS', 'on-default': 'SUCCESS' });
    expect(await output(run, 'deploy')).toContain('deploy target=prod source=api');
    // CI_DEFAULT_BRANCH: scheduler.ciDefaultBranch, main by default.
    expect(await output(run, 'on-default')).toContain('default=main');
    expect(await output(run, 'report')).toContain('report target=prod');

    // Without them: the rule does not hold, and the file's own value is the job's.
    const plain = await rest('POST', `/pipelines/${pipelineId}/run`, {});
    expect(plain.body['variables']).toEqual([]);
    const plainRun = (await rest('GET', `/pipeline-runs/${(await fluxi.api.ended(plain.body['id'])).id}`)).body;
    expect(statuses(plainRun)).toEqual({ deploy: 'SKIPPED', report: 'SUCCESS', 'on-default': 'SKIPPED' });
    expect(await output(plainRun, 'report')).toContain('report target=staging');

    const rerun = await rest('POST', `/pipeline-runs/${run['id']}/rerun`, {});
    expect(rerun.status, rerun.text).toBe(201);
    expect(rerun.body['variables']).toEqual(started.body['variables']);
    const rerunRun = (await rest('GET', `/pipeline-runs/${(await fluxi.api.ended(rerun.body['id'])).id}`)).body;
    expect(statuses(rerunRun)).toEqual({ deploy: 'SUCCESS', report: 'SUCCESS', 'on-default': 'SUCCESS' });
    expect(await output(rerunRun, 'deploy')).toContain('deploy target=prod');
  });

  it('refuses a variable name that is not a shell name, over REST and GraphQL', async () => {
    const { pipelines } = await fluxi.api.gql.request<{ pipelines: { id: string; name: string }[] }>(
      '{ pipelines { id name } }',
    );
    const pipelineId = pipelines.find((p) => p.name === 'variables')!.id;
    const answer = await rest('POST', `/pipelines/${pipelineId}/run`, { variables: [{ name: 'MY-VAR', value: 'x' }] });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options.variables[0].name' });
    const twice = await rest('POST', `/pipelines/${pipelineId}/run`, {
      variables: [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ],
    });
    expect(twice.status, twice.text).toBe(400);
  });
});
