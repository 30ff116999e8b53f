import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { createTestDatabase, tempDir, type TestDatabase } from '@fluxi/testkit';
import { client, firstError } from './client.js';
import { FluxiApi } from './fluxi-api.js';

/**
 * Issue 11's secrets through the gateway, on PostgreSQL: a job prints its secret in the clear, in
 * base64 at the three alignments, base64url, URL-encoded, inside JSON, in hex, split across two
 * output chunks and at a line cut, and a multi-line secret; none of it reaches the stored log, the
 * context, any API answer, PostgreSQL, or any file of the data folder (NATS and Redis stores, chDB,
 * the servers' logs). A job's environment variable marked secret likewise: the job sees its value,
 * the log shows [MASKED], no API answer (GraphQL, REST) nor the run's snapshot holds it.
 */
const VALUE = 'Fluxi-t0ken/with+odd=chars&"quoted"~é';
const GLOBAL_VALUE = 'global-value-the-pipeline-overrides';
const CERT =
  '-----BEGIN FLUXI TEST-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\nsecond-line-0123456789\n-----END FLUXI TEST-----';
const MAX_LINE = 1024;
const SECRET_FIELDS = 'id name scope pipelineId createdAt updatedAt lastUsedAt';
const SET = `mutation ($input: SetSecretInput!) { setSecret(input: $input) { ${SECRET_FIELDS} } }`;

/** Base64 characters that depend only on the value when it sits `offset` bytes into a stream, minus a margin. */
function innerBase64(value: string, offset: number): string {
  const bytes = Buffer.from(value);
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  return encoded.slice(Math.ceil((8 * offset) / 6) + 1, Math.floor((8 * (offset + bytes.length)) / 6) - 1);
}

/** Every form of a secret that must never be stored in the clear. */
function forms(value: string): string[] {
  const bytes = Buffer.from(value);
  return [
    value,
    ...[0, 1, 2].map((offset) => innerBase64(value, offset)),
    ...[0, 1, 2].map((offset) => innerBase64(value, offset).replace(/\+/g, '-').replace(/\//g, '_')),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    ...value.split('\n').filter((line) => line.length >= 4),
  ];
}

const ENV_VALUE = 'env-Var-s3cret/value+for=the-job';

const SENSITIVE = [...forms(VALUE), ...forms(CERT), GLOBAL_VALUE, ...forms(ENV_VALUE)];

/** Files under `dir` (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    try {
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    } catch {
      return [];
    }
  });
}

const JOB_COMMAND = [
  'echo "plain: $TOKEN"',
  `printf '%s' "$TOKEN" | base64 -w0; echo`,
  `printf 'x%s' "$TOKEN" | base64 -w0; echo`,
  `printf 'xy%s' "$TOKEN" | base64 -w0; echo`,
  `printf 'user:%s' "$TOKEN" | base64 -w0 | tr '+/' '-_'; echo`,
  `node -e 'console.log("url: " + encodeURIComponent(process.env.TOKEN))'`,
  `printf '{"token":"%s"}\\n' "$TOKEN"`,
  `node -e 'console.log(JSON.stringify({ token: process.env.TOKEN }))'`,
  `node -e 'const b = Buffer.from(process.env.TOKEN); console.log(b.toString("hex"), b.toString("hex").toUpperCase())'`,
  `printf '%s\\n' "$CERT"`,
  `printf '%s' "$TOKEN" | sha256sum | cut -c1-64`,
  // The value across the cut of a line longer than executor.maxLineBytes.
  `printf '%0${MAX_LINE - 10}d%s\\n' 0 "$TOKEN"`,
  // Half the value, a pause (two chunks), the other half without a newline.
  `printf 'split:%s' "$(printf '%s' "$TOKEN" | cut -c1-12)"; sleep 0.2; printf '%s' "$(printf '%s' "$TOKEN" | cut -c13-)"`,
].join('\n');

describe('secrets through the gateway — real PostgreSQL', () => {
  const dir = tempDir('fluxi-e2e-secrets-');
  let database: TestDatabase;
  let system: FluxiSystem;
  let api: FluxiApi;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase('fluxi_e2e');
    const config = loadConfig({
      flags: {
        dataDir: dir.path,
        'gateway.port': 0,
        'log.console': false,
        'executor.concurrency': 2,
        'executor.killGraceSec': 1,
        'executor.maxLineBytes': MAX_LINE,
        'database.url': database.url,
      },
    });
    // Info level: the servers' logs (checked below) hold the secret access lines.
    system = await startFluxi(config, createLogger({ level: 'info', console: false, dir: `${dir.path}/logs` }));
    api = new FluxiApi(client(system.url as string, system.adminKey as string));
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    dir.remove();
  });

  it('sets secrets (admin only) and never answers their values', async () => {
    ids['job'] = await api.createJob({ name: 'secret-job', command: JOB_COMMAND });
    await api.gql.request('mutation ($id: ID!) { updateJob(id: $id, input: { secrets: ["TOKEN", "CERT"] }) { id } }', {
      id: ids['job'],
    });
    ids['pipeline'] = await api.createPipeline({
      name: 'secret-pipeline',
      stages: [{ name: 'deploy', entries: [{ jobId: ids['job'] as string }] }],
    });
    await api.gql.request(SET, { input: { name: 'TOKEN', value: GLOBAL_VALUE } });
    await api.gql.request(SET, { input: { name: 'TOKEN', value: VALUE, pipelineId: ids['pipeline'] } });
    const cert = await api.gql.request<{ setSecret: { scope: string } }>(SET, { input: { name: 'CERT', value: CERT } });
    expect(cert.setSecret.scope).toBe('GLOBAL');

    const listed = await api.gql.request<{ secrets: Array<{ name: string; scope: string }> }>(
      `{ secrets { ${SECRET_FIELDS} } }`,
    );
    expect(listed.secrets.map((s) => `${s.name}:${s.scope}`)).toEqual([
      'CERT:GLOBAL',
      'TOKEN:GLOBAL',
      'TOKEN:PIPELINE',
    ]);
    const answer = JSON.stringify(listed);
    for (const form of SENSITIVE) expect(answer).not.toContain(form);
  });

  it('refuses the secrets API to writer and reader keys', async () => {
    for (const role of ['writer', 'reader']) {
      const user = await api.gql.request<{ createUser: { id: string } }>(
        'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
        { input: { name: `secrets-${role}`, role } },
      );
      const key = await api.gql.request<{ createApiKey: { key: string } }>(
        'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
        { input: { userId: user.createUser.id, name: 'k' } },
      );
      const as = client(system.url as string, key.createApiKey.key);
      const calls: Array<[string, Record<string, unknown>]> = [
        [SET, { input: { name: 'TOKEN', value: 'stolen-value' } }],
        ['mutation { deleteSecret(id: "SC1") }', {}],
        ['mutation { rotateSecrets }', {}],
        ['{ secrets { id } }', {}],
      ];
      for (const [query, variables] of calls) {
        const error = await firstError(as.request(query, variables));
        expect(error.code, `${role}: ${query}`).toBe('FORBIDDEN');
      }
    }
  });

  it('gives the job its secrets and masks every form of them in the log, the context and the reason', async () => {
    const run = await api.ended((await api.trigger(ids['pipeline'] as string)).id);
    const jobRun = run.jobRuns[0]!;
    expect(run.status, JSON.stringify(jobRun)).toBe('SUCCESS');
    // The log service stores the last chunks a moment after the run ended.
    const lines = await api.logs(jobRun.id, (texts) => texts.some((text) => text.startsWith('split:')));
    const log = lines.join('\n');
    for (const form of SENSITIVE) expect(log, form).not.toContain(form);
    // The pipeline's own TOKEN, not the global one, was in the environment.
    expect(lines).toContain(createHash('sha256').update(VALUE).digest('hex'));
    expect(lines).toContain('plain: [MASKED]');
    expect(lines).toContain('{"token":"[MASKED]"}');
    expect(lines).toContain('url: [MASKED]');
    expect(lines).toContain('[MASKED] [MASKED]');
    expect(lines, JSON.stringify(lines)).toContain('split:[MASKED]');
    expect(lines.filter((line) => line === '[MASKED]').length).toBeGreaterThanOrEqual(4 + 1);
    expect(lines.some((line) => /^x?[A-Za-z0-9+/]{0,3}\[MASKED\][A-Za-z0-9+/=]{0,4}$/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('dXNlcj') && line.includes('[MASKED]'))).toBe(true);
    expect(lines.some((line) => /secrets TOKEN, CERT set in the environment/.test(line))).toBe(true);

    const { context } = await api.gql.request<{ context: { value: string } | null }>(
      '{ context(name: "secret-job") { value } }',
    );
    expect(context?.value).toContain('plain: [MASKED]');
    for (const form of SENSITIVE) expect(context?.value, form).not.toContain(form);

    const search = await api.gql.request<{ searchLogs: { hits: unknown[] } }>(
      'query ($q: String) { searchLogs(query: $q, first: 50) { hits { jobRunId } } }',
      { q: '"t0ken"' },
    );
    expect(search.searchLogs.hits).toEqual([]);
    const answers = JSON.stringify([run, await api.run(run.id)]);
    for (const form of SENSITIVE) expect(answers).not.toContain(form);

    const listed = await api.gql.request<{ secrets: Array<{ name: string; lastUsedAt: string | null }> }>(
      '{ secrets { name lastUsedAt } }',
    );
    expect(listed.secrets.filter((s) => s.lastUsedAt !== null).map((s) => s.name)).toEqual(['CERT', 'TOKEN']);
  });

  it("gives a job its environment variable marked secret, masked, never answered or in the run's rows", async () => {
    const jobId = await api.createJob({
      name: 'secret-env-job',
      command: [
        'echo "env: $API_KEY"',
        `printf '%s' "$API_KEY" | base64 -w0; echo`,
        `printf '%s' "$API_KEY" | sha256sum | cut -c1-64`,
        'echo "region: $REGION"',
      ].join('\n'),
      env: [
        { name: 'REGION', value: 'eu-west' },
        { name: 'API_KEY', value: ENV_VALUE, secret: true },
      ],
    });
    const pipelineId = await api.createPipeline({
      name: 'secret-env-pipeline',
      stages: [{ name: 's', entries: [{ jobId }] }],
    });
    const run = await api.ended((await api.trigger(pipelineId)).id);
    const jobRun = run.jobRuns[0]!;
    expect(run.status, JSON.stringify(jobRun)).toBe('SUCCESS');
    const lines = await api.logs(jobRun.id, (texts) => texts.some((text) => text.startsWith('region:')));
    // The job saw the value (its digest), the log has it masked.
    expect(lines).toContain(createHash('sha256').update(ENV_VALUE).digest('hex'));
    expect(lines).toContain('env: [MASKED]');
    expect(lines).toContain('[MASKED]');
    expect(lines).toContain('region: eu-west');
    expect(lines.some((line) => /secret API_KEY set in the environment/.test(line))).toBe(true);
    for (const form of forms(ENV_VALUE)) expect(lines.join('\n'), form).not.toContain(form);

    const graphql = await api.gql.request<{ job: { env: unknown[] } }>(
      'query ($id: ID!) { job(id: $id) { env { name value secret } } }',
      { id: jobId },
    );
    expect(graphql.job.env).toEqual([
      { name: 'REGION', value: 'eu-west', secret: false },
      { name: 'API_KEY', value: null, secret: true },
    ]);
    const rest = await fetch(`${system.url}/api/v1/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    expect(rest.status).toBe(200);
    const restJob = (await rest.json()) as { env: unknown[] };
    expect(restJob.env).toEqual(graphql.job.env);
    const exported = await api.gql.request<{ exportDefinitions: string }>('{ exportDefinitions }');
    const answers = JSON.stringify([graphql, restJob, exported, run, await api.run(run.id)]);
    for (const form of forms(ENV_VALUE)) expect(answers, form).not.toContain(form);

    // The run's snapshot and job runs hold the name, never the value (all tables are read below).
    const pgClient = new pg.Client({ connectionString: database.url });
    await pgClient.connect();
    try {
      const rows = await pgClient.query<{ row: string }>(
        `SELECT t::text AS row FROM scheduler.job_runs t WHERE t.id = $1`,
        [jobRun.id],
      );
      expect(rows.rows).toHaveLength(1);
      const snapshots = await pgClient.query<{ row: string }>(
        `SELECT t::text AS row FROM scheduler.pipeline_runs t WHERE t.id = $1`,
        [run.id],
      );
      const text = [...rows.rows, ...snapshots.rows].map((r) => r.row).join('\n');
      expect(text).toContain('API_KEY');
      for (const form of forms(ENV_VALUE)) expect(text, form).not.toContain(form);
      const sealed = await pgClient.query<{ env: Array<Record<string, unknown>> }>(
        'SELECT env FROM catalog.jobs WHERE id = $1',
        [jobId],
      );
      expect(sealed.rows[0]?.env[1]).toEqual({ name: 'API_KEY', secret: true, sealed: expect.stringMatching(/^v1:/) });
    } finally {
      await pgClient.end();
    }
  });

  it('fails an attempt whose secret is not set, naming it', async () => {
    const jobId = await api.createJob({ name: 'needs-missing', command: 'echo never' });
    await api.gql.request('mutation ($id: ID!) { updateJob(id: $id, input: { secrets: ["MISSING_ONE"] }) { id } }', {
      id: jobId,
    });
    const pipelineId = await api.createPipeline({
      name: 'missing-secret',
      stages: [{ name: 's', entries: [{ jobId }] }],
    });
    const run = await api.ended((await api.trigger(pipelineId)).id);
    expect(run.status).toBe('FAILED');
    expect(run.jobRuns[0]).toMatchObject({
      failureClass: 'JOB',
      reason: `secret MISSING_ONE is not set (global or for pipeline ${pipelineId})`,
    });
    const lines = await api.logs(run.jobRuns[0]!.id, (texts) => texts.some((text) => text.includes('MISSING_ONE')));
    expect(lines).toContain(`secret MISSING_ONE is not set (global or for pipeline ${pipelineId})`);
    expect(lines).not.toContain('never');
  });

  it('leaves no value in the clear in PostgreSQL or in any file of the data folder', async () => {
    const pgClient = new pg.Client({ connectionString: database.url });
    await pgClient.connect();
    try {
      const sealed = await pgClient.query<{ value: string }>('SELECT value FROM catalog.secrets');
      expect(sealed.rows).toHaveLength(3);
      expect(sealed.rows.every((row) => row.value.startsWith('v1:'))).toBe(true);
      const tables = await pgClient.query<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_schema IN ('catalog', 'scheduler') AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.map((t) => t.table_name)).toEqual(expect.arrayContaining(['secrets', 'job_runs']));
      for (const { table_schema: schema, table_name: table } of tables.rows) {
        const rows = await pgClient.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table}" t`);
        const text = rows.rows.map((r) => r.row).join('\n');
        for (const form of SENSITIVE) expect(text, `${schema}.${table}: ${form}`).not.toContain(form);
      }
    } finally {
      await pgClient.end();
    }
    const needles = [VALUE, GLOBAL_VALUE, ENV_VALUE, ...CERT.split('\n').filter((line) => line.length >= 20)].map((v) =>
      Buffer.from(v),
    );
    const files = filesUnder(dir.path);
    expect(files.some((file) => file.includes(`${join(dir.path, 'logs')}`))).toBe(true);
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      for (const needle of needles) expect(bytes.includes(needle), `${file} holds a secret`).toBe(false);
    }
    const serverLog = files
      .filter((file) => file.startsWith(join(dir.path, 'logs')))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(serverLog).toContain('secret access');
  });
});
