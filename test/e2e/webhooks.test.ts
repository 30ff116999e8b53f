import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@fluxi/testkit';
import { beforeAll, expect, it } from 'vitest';
import { describeOnBothStores } from './fixture.js';

/**
 * Git webhooks end to end: payloads shaped as GitHub's and GitLab's documentation shows them
 * (the gateway's fixtures), pointed at a local bare repository (file:// URL) made in the test,
 * signed with the pipeline's secret and posted to the gateway like the providers do.
 */
const FIXTURES = fileURLToPath(new URL('../../services/gateway/src/webhooks/fixtures/', import.meta.url));
const SECRET = 'e2e-webhook-secret-5f1c9a7e2b';
const GITLAB_TOKEN = 'e2e-gitlab-token-93b1d0aa4c';

type Json = Record<string, unknown>;
const fixture = (name: string): Json => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Json;
const sign = (body: string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

interface HookAnswer {
  status: number;
  text: string;
  body: { result: string; message: string; runs: Array<{ pipelineRunId: string; created: boolean }> };
}

const RUN_GIT = `id status trigger webhookDeliveryId git { repository ref refType commit author message compareUrl }
  jobRuns { id name status reason failureClass }`;

describeOnBothStores('git webhooks', (fluxi) => {
  const repo = { bare: '', url: '', first: '', second: '', tag: '' };
  const ids = { pipeline: '', gitlabPipeline: '' };

  const git = (cwd: string, ...args: string[]): string =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ada Lovelace',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada Lovelace',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
      },
    }).trim();

  const post = async (
    provider: 'github' | 'gitlab',
    body: string,
    headers: Record<string, string>,
  ): Promise<HookAnswer> => {
    const response = await fetch(`${fluxi.system.url}/hooks/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as HookAnswer['body'] };
  };

  /** A GitHub push of `commit` to `ref` of the local repository, as GitHub sends it. */
  const githubPush = (ref: string, commit: string, kind: 'branch' | 'tag' = 'branch'): string => {
    const payload = fixture(kind === 'branch' ? 'github-push-branch' : 'github-push-tag');
    const repository = payload['repository'] as Json;
    Object.assign(repository, { clone_url: repo.url, html_url: repo.url, ssh_url: repo.url, git_url: repo.url });
    const head = payload['head_commit'] as Json;
    Object.assign(payload, { ref, after: commit, deleted: false });
    Object.assign(head, {
      id: commit,
      message: 'add README',
      author: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada-l' },
    });
    return JSON.stringify(payload);
  };

  const githubHeaders = (body: string, delivery: string, secret = SECRET): Record<string, string> => ({
    'x-github-event': 'push',
    'x-github-delivery': delivery,
    'x-hub-signature-256': sign(body, secret),
  });

  const runsOf = async (pipelineId: string): Promise<string[]> =>
    (
      await fluxi.api.gql.request<{ pipelineRuns: { id: string }[] }>(
        'query ($id: ID!) { pipelineRuns(pipelineId: $id, limit: 100) { id } }',
        { id: pipelineId },
      )
    ).pipelineRuns.map((run) => run.id);

  const runGit = async (runId: string) =>
    (
      await fluxi.api.gql.request<{ pipelineRun: Json }>(`query ($id: ID!) { pipelineRun(id: $id) { ${RUN_GIT} } }`, {
        id: runId,
      })
    ).pipelineRun;

  /** The job run's stored log once it holds `expected` (lines reach the log store after the run ends). */
  const logWith = (jobRunId: string, expected: string): Promise<string> =>
    waitFor(
      async () => {
        const page = await fluxi.api.logPage(jobRunId, { first: 500 });
        const text = page.lines.map((line: { text: string }) => line.text).join('\n');
        return text.includes(expected) ? text : undefined;
      },
      { what: `the log of ${jobRunId} to hold "${expected}"`, timeoutMs: 30_000, intervalMs: 100 },
    );

  beforeAll(async () => {
    const root = join(fluxi.scratch, 'git');
    const work = join(root, 'work');
    repo.bare = join(root, 'hello-ci.git');
    repo.url = `file://${repo.bare}`;
    mkdirSync(work, { recursive: true });
    git(root, 'init', '--quiet', '--bare', repo.bare);
    git(work, 'init', '--quiet');
    writeFileSync(join(work, 'README'), 'hello from the pushed commit\n');
    git(work, 'add', 'README');
    git(work, 'commit', '--quiet', '-m', 'add README');
    repo.first = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', repo.bare, 'HEAD:refs/heads/main');
    writeFileSync(join(work, 'README'), 'release notes of v1.0.0\n');
    git(work, 'commit', '--quiet', '-am', 'release');
    repo.tag = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', repo.bare, 'HEAD:refs/tags/v1.0.0');

    const show = await fluxi.api.createJob({ name: `show-readme-${randomUUID().slice(0, 8)}`, command: 'cat README' });
    await fluxi.api.gql.request('mutation ($id: ID!) { updateJob(id: $id, input: { checkout: true }) { id } }', {
      id: show,
    });
    ids.pipeline = await fluxi.api.createPipeline({
      name: `webhooked-${randomUUID().slice(0, 8)}`,
      stages: [{ name: 'build', entries: [{ jobId: show }] }],
      git: { repository: repo.url, branches: ['main', 'release/*'], tags: ['v*'], webhookSecret: SECRET },
    } as never);
    const echo = await fluxi.api.createJob({ name: `echo-${randomUUID().slice(0, 8)}`, command: 'echo gitlab' });
    ids.gitlabPipeline = await fluxi.api.createPipeline({
      name: `gitlab-${randomUUID().slice(0, 8)}`,
      stages: [{ name: 'build', entries: [{ jobId: echo }] }],
      git: { repository: 'git@gitlab.example.com:platform/tools/hello-ci.git', webhookSecret: GITLAB_TOKEN },
    } as never);
  });

  it('starts the pipeline for a signed push: the run checks the commit out and shows commit, ref and author', async () => {
    const body = githubPush('refs/heads/main', repo.first);
    const delivery = randomUUID();
    const answer = await post('github', body, githubHeaders(body, delivery));
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe('started');
    expect(answer.body.runs).toHaveLength(1);
    expect(answer.body.runs[0]?.created).toBe(true);
    const runId = answer.body.runs[0]?.pipelineRunId as string;
    const ended = await fluxi.api.ended(runId, 90_000);
    const run = await runGit(runId);
    const jobRun = (run['jobRuns'] as Array<{ id: string; reason: string | null }>)[0];
    expect(ended.status, JSON.stringify(run)).toBe('SUCCESS');
    expect(String(run['trigger']).toUpperCase()).toBe('WEBHOOK');
    expect(run).toMatchObject({
      webhookDeliveryId: delivery,
      git: {
        repository: repo.url,
        ref: 'refs/heads/main',
        refType: 'branch',
        commit: repo.first,
        message: 'add README',
      },
    });
    expect((run['git'] as Json)['author']).toContain('Ada Lovelace');
    const log = await logWith(jobRun?.id as string, 'hello from the pushed commit');
    expect(log).toContain(`checking out ${repo.first.slice(0, 12)}`);
  });

  it('starts a redelivery (same delivery id) once', async () => {
    const body = githubPush('refs/heads/main', repo.first);
    const delivery = randomUUID();
    const before = (await runsOf(ids.pipeline)).length;
    const first = await post('github', body, githubHeaders(body, delivery));
    const again = await post('github', body, githubHeaders(body, delivery));
    expect(first.body.result).toBe('started');
    expect(again.status).toBe(200);
    expect(again.body.result).toBe('duplicate');
    expect(again.body.runs).toEqual([{ ...first.body.runs[0], created: false }]);
    expect((await runsOf(ids.pipeline)).length).toBe(before + 1);
  });

  it('refuses a wrong or a missing signature with 401 and starts nothing', async () => {
    const before = (await runsOf(ids.pipeline)).length;
    const body = githubPush('refs/heads/main', repo.first);
    const wrong = await post('github', body, githubHeaders(body, randomUUID(), 'not-the-secret-at-all'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.result).toBe('unauthorized');
    const headers = githubHeaders(body, randomUUID());
    delete headers['x-hub-signature-256'];
    const missing = await post('github', body, headers);
    expect(missing.status).toBe(401);
    const tampered = await post('github', body.replace('add README', 'add READMF'), githubHeaders(body, randomUUID()));
    expect(tampered.status).toBe(401);
    expect((await runsOf(ids.pipeline)).length).toBe(before);
    expect(wrong.text + missing.text).not.toContain(SECRET);
  });

  it('answers a branch outside the filters with 200 "no pipeline matches" and starts nothing', async () => {
    const before = (await runsOf(ids.pipeline)).length;
    const body = githubPush('refs/heads/feature/x', repo.first);
    const answer = await post('github', body, githubHeaders(body, randomUUID()));
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe('no_match');
    expect(answer.body.message).toContain('no pipeline matches branch feature/x');
    expect((await runsOf(ids.pipeline)).length).toBe(before);
  });

  it('starts the pipeline for a tag push matching its tag filter', async () => {
    const body = githubPush('refs/tags/v1.0.0', repo.tag, 'tag');
    const answer = await post('github', body, githubHeaders(body, randomUUID()));
    expect(answer.body.result).toBe('started');
    const runId = answer.body.runs[0]?.pipelineRunId as string;
    expect((await fluxi.api.ended(runId, 90_000)).status).toBe('SUCCESS');
    const run = await runGit(runId);
    expect(run['git']).toMatchObject({ ref: 'refs/tags/v1.0.0', refType: 'tag', commit: repo.tag });
    const jobRun = (run['jobRuns'] as Array<{ id: string }>)[0];
    expect(await logWith(jobRun?.id as string, 'release notes of v1.0.0')).toContain(
      `checked out ${repo.tag.slice(0, 12)}`,
    );
  });

  it('refuses a body over the limit with 413 and answers a ping with 200, starting nothing', async () => {
    const before = (await runsOf(ids.pipeline)).length;
    const huge = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
    const large = await post('github', huge, githubHeaders(huge, randomUUID()));
    expect(large.status).toBe(413);
    expect(large.body.result).toBe('too_large');
    const ping = fixture('github-ping');
    Object.assign(ping['repository'] as Json, { clone_url: repo.url, html_url: repo.url });
    const pingBody = JSON.stringify(ping);
    const answer = await post('github', pingBody, {
      ...githubHeaders(pingBody, randomUUID()),
      'x-github-event': 'ping',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe('ignored');
    expect(answer.body.message).toMatch(/ping/i);
    expect((await runsOf(ids.pipeline)).length).toBe(before);
  });

  it('checks GitLab’s X-Gitlab-Token and starts a Push Hook', async () => {
    const body = JSON.stringify(fixture('gitlab-push-hook'));
    const headers = { 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': randomUUID() };
    const wrong = await post('gitlab', body, { ...headers, 'x-gitlab-token': 'wrong-token-wrong-token' });
    expect(wrong.status).toBe(401);
    const answer = await post('gitlab', body, { ...headers, 'x-gitlab-token': GITLAB_TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe('started');
    const run = await runGit(answer.body.runs[0]?.pipelineRunId as string);
    expect(run['git']).toMatchObject({
      ref: 'refs/heads/release/2.x',
      commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    });
  });

  it('lists the deliveries, per pipeline and all, and never shows the secret', async () => {
    type Page = {
      nodes: Array<{ result: string; provider: string; deliveryId: string; runs: unknown[] }>;
      hasNextPage: boolean;
      endCursor: string | null;
    };
    const query = `query ($id: ID, $first: Int, $after: String) { webhookDeliveries(pipelineId: $id, first: $first, after: $after) {
      nodes { id receivedAt provider event deliveryId repository ref commit result message pipelineIds
        runs { pipelineId pipelineRunId number created } } endCursor hasNextPage } }`;
    const page = (variables: Json) =>
      waitFor(
        async () => {
          const found = (await fluxi.api.gql.request<{ webhookDeliveries: Page }>(query, variables)).webhookDeliveries;
          return found.nodes.length > 0 ? found : undefined;
        },
        { what: 'webhook deliveries', timeoutMs: 10_000, intervalMs: 100 },
      );
    const mine = await page({ id: ids.pipeline, first: 100 });
    const results = new Set(mine.nodes.map((node) => node.result));
    for (const result of ['STARTED', 'DUPLICATE', 'NO_MATCH']) expect(results).toContain(result);
    const all = await page({ first: 100 });
    const everything = new Set(all.nodes.map((node) => node.result));
    for (const result of ['UNAUTHORIZED', 'TOO_LARGE', 'IGNORED']) expect(everything).toContain(result);
    expect(all.nodes.some((node) => node.provider === 'gitlab' && node.result === 'STARTED')).toBe(true);
    const first = await page({ first: 2 });
    expect(first.nodes).toHaveLength(2);
    expect(first.hasNextPage).toBe(true);
    const next = await page({ first: 2, after: first.endCursor });
    expect(next.nodes.map((n) => n.deliveryId)).not.toContain(first.nodes[1]?.deliveryId ?? 'none');

    const shown = JSON.stringify([
      all,
      await fluxi.api.gql.request(
        '{ pipelines { id name git { repository hasWebhookSecret webhookSecretSetAt } } exportDefinitions }',
      ),
    ]);
    expect(shown).toContain('hasWebhookSecret');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(GITLAB_TOKEN);
  });
});
