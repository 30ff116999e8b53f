import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { repositoryKey, silentLogger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  FindWebhookPipelinesRequestSchema,
  FindWebhookPipelinesResponseSchema,
  Subjects,
} from '@fluxi/contracts';
import { openDatabase } from '@fluxi/db';
import { connectNats, request, type Nats } from '@fluxi/messaging';
import { SECRET_KEY_FILE } from '../src/main.js';
import { SCHEMA } from '../src/store/database.js';
import { backends } from './backends.js';
import { READER, startCatalog, type CatalogHarness } from './catalog-harness.js';

const SECRET = 'first-webhook-secret-0123456789';
const SECOND = 'second-webhook-secret-abcdefghij';
const GIT_FIELDS = 'git { repository repositoryKey branches tags events hasWebhookSecret webhookSecretSetAt }';
const CREATE_PIPELINE = `mutation ($input: PipelineInput!) { createPipeline(input: $input) { id ${GIT_FIELDS} } }`;
const UPDATE_PIPELINE = `mutation ($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id ${GIT_FIELDS} } }`;
const SET_SECRET = `mutation ($id: ID!, $secret: String) { setPipelineWebhookSecret(pipelineId: $id, secret: $secret) { id updatedAt ${GIT_FIELDS} } }`;
const EVERYTHING = `{ pipelines { id name ${GIT_FIELDS} } exportDefinitions }`;

describe.each(backends)('pipelines with a git source on $name', (kind) => {
  let catalog: CatalogHarness;
  let nats: Nats;
  let jobId: string;
  const ids: Record<string, string> = {};

  const stages = (): unknown[] => [{ name: 'build', entries: [{ jobId }] }];
  const webhookPipelines = async (url: string) => {
    const answer = await request(
      nats.nc,
      Subjects.webhookPipelines,
      { request: FindWebhookPipelinesRequestSchema, response: FindWebhookPipelinesResponseSchema },
      create(FindWebhookPipelinesRequestSchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        repositoryKey: repositoryKey(url) ?? '',
      }),
    );
    if (answer.result.case !== 'pipelines') throw new Error(`no pipelines: ${JSON.stringify(answer.result.value)}`);
    return answer.result.value.pipelines.map((p) => ({ ...p, $typeName: undefined }));
  };
  /** Every answer of the API that shows pipelines, as one text. */
  const everything = async (): Promise<string> => JSON.stringify(await catalog.ok(EVERYTHING, {}, READER));

  beforeAll(async () => {
    catalog = await startCatalog(kind);
    nats = await connectNats(catalog.natsUrl, 'git-source-test', silentLogger());
    jobId = (await catalog.ok('mutation { createJob(input: { name: "make", command: "make" }) { id } }')).createJob.id;
  });

  afterAll(async () => {
    await nats?.close();
    await catalog?.stop();
  });

  it('stores the repository with its key, filters and events, and shows only whether a secret is set', async () => {
    const created = await catalog.ok(CREATE_PIPELINE, {
      input: {
        name: 'api',
        stages: stages(),
        git: {
          repository: 'git@github.com:Acme/API.git',
          branches: ['main', 'release/*'],
          tags: ['v*'],
          events: ['PUSH', 'TAG'],
          webhookSecret: SECRET,
        },
      },
    });
    ids['api'] = created.createPipeline.id;
    expect(created.createPipeline.git).toMatchObject({
      repository: 'git@github.com:Acme/API.git',
      repositoryKey: 'github.com/acme/api',
      branches: ['main', 'release/*'],
      tags: ['v*'],
      events: ['PUSH', 'TAG'],
      hasWebhookSecret: true,
    });
    expect(Date.parse(created.createPipeline.git.webhookSecretSetAt)).not.toBeNaN();
    expect(JSON.stringify(created)).not.toContain(SECRET);
    const all = await everything();
    expect(all).toContain('github.com/acme/api');
    expect(all).not.toContain(SECRET);
  });

  it('answers the gateway with the secret in the clear for any URL form of the repository', async () => {
    const found = await webhookPipelines('https://github.com/acme/api');
    expect(found).toEqual([
      {
        $typeName: undefined,
        pipelineId: ids['api'],
        repository: 'git@github.com:Acme/API.git',
        branches: ['main', 'release/*'],
        tags: ['v*'],
        events: ['push', 'tag'],
        webhookSecret: SECRET,
      },
    ]);
    expect(await webhookPipelines('https://github.com/acme/other')).toEqual([]);
  });

  it('keeps the secret when an update does not give one, and replaces it when it does', async () => {
    const id = ids['api'] as string;
    const git = { repository: 'https://github.com/acme/api', branches: ['main'] };
    const kept = await catalog.ok(UPDATE_PIPELINE, { id, input: { name: 'api', stages: stages(), git } });
    expect(kept.updatePipeline.git).toMatchObject({ repository: git.repository, tags: [], hasWebhookSecret: true });
    expect((await webhookPipelines(git.repository))[0]?.webhookSecret).toBe(SECRET);
    await catalog.ok(UPDATE_PIPELINE, {
      id,
      input: { name: 'api', stages: stages(), git: { ...git, webhookSecret: SECOND } },
    });
    expect((await webhookPipelines(git.repository))[0]?.webhookSecret).toBe(SECOND);
    expect(await everything()).not.toContain(SECOND);
  });

  it('sets and clears the secret on its own, and refuses one on a pipeline without a git source', async () => {
    const id = ids['api'] as string;
    const cleared = await catalog.ok(SET_SECRET, { id, secret: null });
    expect(cleared.setPipelineWebhookSecret.git).toMatchObject({ hasWebhookSecret: false, webhookSecretSetAt: null });
    expect(await webhookPipelines('https://github.com/acme/api')).toEqual([]);
    const set = await catalog.ok(SET_SECRET, { id, secret: SECRET });
    expect(set.setPipelineWebhookSecret.git.hasWebhookSecret).toBe(true);
    expect(JSON.stringify(set)).not.toContain(SECRET);

    const plain = await catalog.ok(CREATE_PIPELINE, { input: { name: 'plain', stages: stages() } });
    expect(plain.createPipeline.git).toBeNull();
    const refused = await catalog.fail(SET_SECRET, { id: plain.createPipeline.id, secret: SECRET });
    expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pipelineId' });
    const short = await catalog.fail(SET_SECRET, { id, secret: 'short' });
    expect(short.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'secret' });
    expect(short.message).toContain('16 to 1024');
  });

  it('refuses bad git sources with the field path, writing nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ repository: 'nope' }, 'input.git.repository'],
      [{ repository: 'https://user:token@github.com/acme/x' }, 'input.git.repository'],
      [{ repository: 'https://github.com/acme/x', branches: ['ok', ''] }, 'input.git.branches[1]'],
      [{ repository: 'https://github.com/acme/x', webhookSecret: 'too-short' }, 'input.git.webhookSecret'],
    ];
    for (const [git, field] of cases) {
      const error = await catalog.fail(CREATE_PIPELINE, { input: { name: 'bad', stages: stages(), git } });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const names = (await catalog.ok('{ pipelines { name } }', {}, READER)).pipelines.map(
      (p: { name: string }) => p.name,
    );
    expect(names).not.toContain('bad');
  });

  it('exports the git source without the secret; an import keeps the secret, dropping git clears it', async () => {
    const yaml = (await catalog.ok('{ exportDefinitions }', {}, READER)).exportDefinitions as string;
    expect(yaml).not.toContain(SECRET);
    const file = parseYaml(yaml) as { pipelines: Record<string, { git?: Record<string, unknown> }> };
    expect(file.pipelines['api']?.git).toEqual({ repository: 'https://github.com/acme/api', branches: ['main'] });
    const api = file.pipelines['api'] as { git?: Record<string, unknown> };
    api.git = { ...api.git, branches: ['main', 'hotfix/*'] };
    const importYaml = async (text: string) =>
      (
        await catalog.ok('mutation ($y: String!) { importDefinitions(yaml: $y) { changes { name action fields } } }', {
          y: text,
        })
      ).importDefinitions.changes;
    expect(await importYaml(stringifyYaml(file))).toContainEqual({ name: 'api', action: 'update', fields: ['git'] });
    expect((await webhookPipelines('https://github.com/acme/api'))[0]).toMatchObject({
      branches: ['main', 'hotfix/*'],
      webhookSecret: SECRET,
    });

    api.git = { ...api.git, webhookSecret: SECRET };
    const problems = await catalog.ok('query ($y: String!) { validateDefinitions(yaml: $y) { field message } }', {
      y: stringifyYaml(file),
    });
    expect(problems.validateDefinitions).toHaveLength(1);
    expect(problems.validateDefinitions[0]).toMatchObject({ field: 'pipelines.api.git.webhookSecret' });
    expect(JSON.stringify(problems)).not.toContain(SECRET);

    delete api.git;
    await importYaml(stringifyYaml(file));
    expect(await webhookPipelines('https://github.com/acme/api')).toEqual([]);
    const read = await catalog.ok(
      `query ($id: ID!) { pipeline(id: $id) { ${GIT_FIELDS} } }`,
      { id: ids['api'] },
      READER,
    );
    expect(read.pipeline.git).toBeNull();
  });

  it('lets a job ask for a checkout, in GraphQL and fluxi.yaml', async () => {
    const job = await catalog.ok(
      'mutation { createJob(input: { name: "checkout-job", command: "cat README", checkout: true }) { id checkout } }',
    );
    expect(job.createJob.checkout).toBe(true);
    const yaml = (await catalog.ok('{ exportDefinitions }', {}, READER)).exportDefinitions as string;
    const file = parseYaml(yaml) as { jobs: Record<string, { checkout?: boolean }> };
    expect(file.jobs['checkout-job']?.checkout).toBe(true);
    expect(file.jobs['make']?.checkout).toBeUndefined();
    const updated = await catalog.ok(
      'mutation ($id: ID!) { updateJob(id: $id, input: { checkout: false }) { checkout } }',
      {
        id: job.createJob.id,
      },
    );
    expect(updated.updateJob.checkout).toBe(false);
  });

  it('keeps the key in a private file of the data dir', () => {
    const mode = statSync(join(catalog.dataDir, SECRET_KEY_FILE)).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it.runIf(kind.name === 'postgres')('holds only ciphertext bound to the pipeline in its table', async () => {
    const id = ids['api'] as string;
    await catalog.ok(UPDATE_PIPELINE, {
      id,
      input: {
        name: 'api',
        stages: stages(),
        git: { repository: 'https://github.com/acme/api', webhookSecret: SECRET },
      },
    });
    const other = await catalog.ok(CREATE_PIPELINE, {
      input: {
        name: 'other',
        stages: stages(),
        git: { repository: 'https://github.com/acme/api', webhookSecret: SECOND },
      },
    });
    const db = await openDatabase({ url: catalog.databaseUrl, embeddedDir: '', schema: SCHEMA });
    try {
      const rows = await db.query<Record<string, unknown>>('SELECT * FROM pipelines');
      const table = JSON.stringify(rows);
      expect(table).not.toContain(SECRET);
      expect(table).not.toContain(SECOND);
      expect(table).not.toContain(Buffer.from(SECRET).toString('base64'));
      const sealed = rows.find((row) => row['id'] === id)?.['webhook_secret'];
      expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
      // A sealed value copied onto another pipeline does not open there: that pipeline drops out.
      await db.query('UPDATE pipelines SET webhook_secret = $1 WHERE id = $2', [sealed, other.createPipeline.id]);
    } finally {
      await db.close();
    }
    const found = await webhookPipelines('https://github.com/acme/api');
    expect(found.map((p) => [p.pipelineId, p.webhookSecret])).toEqual([[id, SECRET]]);
  });
});
