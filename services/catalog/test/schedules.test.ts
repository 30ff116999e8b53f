import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger } from '@fluxi/common';
import { MissedFirePolicy, OverlapPolicy, type ScheduleDefinition } from '@fluxi/contracts';
import { migrate, openDatabase } from '@fluxi/db';
import { encodePrincipal, PRINCIPAL_HEADER } from '@fluxi/graphql';
import { connectNats, openScheduleBucket, watchSchedules, type Nats, type ScheduleWatch } from '@fluxi/messaging';
import { startNatsServer, tempDir, waitFor, type ServerProcess } from '@fluxi/testkit';
import { start, type CatalogService } from '../src/index.js';
import { SCHEMA } from '../src/store/database.js';
import { migrations } from '../src/store/migrations.js';
import { ScheduleStore } from '../src/store/schedule-store.js';
import { WRITER } from './catalog-harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary GraphQL shapes
type Data = Record<string, any>;

const FIELDS = `id name cron timezone enabled overlap missedFires description nextFireTimes(count: 3) activeSince
  targets { pipelineId jobId pipeline { name } job { name } }`;

describe('schedules: targets, policies, description, next fire times, and the schedulers’ copy in NATS KV', () => {
  let nats: ServerProcess;
  let client: Nats;
  let catalog: CatalogService;
  let watch: ScheduleWatch;
  const dir = tempDir('fluxi-catalog-schedules-');
  const seen = new Map<string, ScheduleDefinition | undefined>();

  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${catalog.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: encodePrincipal(WRITER) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Data; errors?: Array<{ message: string; extensions?: Data }> };
  };
  const ok = async (query: string, variables?: Record<string, unknown>): Promise<Data> => {
    const answer = await graphql(query, variables);
    expect(answer.errors).toBeUndefined();
    return answer.data as Data;
  };
  const startCatalog = async () =>
    start({
      config: loadConfig({ flags: { dataDir: dir.path } }),
      natsUrl: nats.url,
      redisUrl: 'redis://unused',
      logger: silentLogger(),
    });

  beforeAll(async () => {
    nats = await startNatsServer();
    client = await connectNats(nats.url, 'schedules-test', silentLogger());
    // A key left by a schedule deleted while the catalog could not reach NATS: removed at start.
    const bucket = await openScheduleBucket(client);
    await bucket.put({ id: 'S-stale', name: 'stale', cron: '@daily', timezone: 'UTC' } as ScheduleDefinition);
    catalog = await startCatalog();
    watch = await watchSchedules(client, (id, definition) => seen.set(id, definition), silentLogger());
  });

  afterAll(async () => {
    await watch?.stop();
    await catalog?.stop();
    await client?.close();
    await nats?.stop();
    dir.remove();
  });

  it('creates a schedule with several targets, describes it and lists its next fire times', async () => {
    await waitFor(() => seen.has('S-stale') && seen.get('S-stale') === undefined, { what: 'the stale key removed' });
    const job = (await ok(`mutation { createJob(input: { name: "sweep", command: "true" }) { id } }`)).createJob;
    const build = (await ok(`mutation { createJob(input: { name: "build", command: "true" }) { id } }`)).createJob;
    const pipeline = (
      await ok(
        `mutation ($job: ID!) { createPipeline(input: { name: "ci", stages: [{ name: "s", entries: [{ jobId: $job }] }] }) { id } }`,
        { job: build.id },
      )
    ).createPipeline;
    const before = Date.now();
    const created = (
      await ok(`mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { ${FIELDS} } }`, {
        input: {
          name: 'every-10s',
          targets: [{ pipelineId: pipeline.id }, { jobId: job.id }],
          cron: '*/10 * * * * *',
          timezone: 'Europe/Paris',
          overlap: 'SKIP',
          missedFires: 'ALL',
        },
      })
    ).createSchedule;
    expect(created).toMatchObject({
      cron: '*/10 * * * * *',
      timezone: 'Europe/Paris',
      overlap: 'SKIP',
      missedFires: 'ALL',
      description: 'Every 10 seconds (Europe/Paris)',
      targets: [
        { pipelineId: pipeline.id, jobId: null, pipeline: { name: 'ci' }, job: null },
        { pipelineId: null, jobId: job.id, pipeline: null, job: { name: 'sweep' } },
      ],
    });
    const times = (created.nextFireTimes as string[]).map((time) => Date.parse(time));
    expect(times).toHaveLength(3);
    expect(times[0]).toBeGreaterThan(before);
    expect(times.map((time) => time % 10_000)).toEqual([0, 0, 0]);
    expect([times[1]! - times[0]!, times[2]! - times[1]!]).toEqual([10_000, 10_000]);

    await waitFor(() => seen.get(created.id) !== undefined, { what: 'the definition in NATS KV' });
    expect(seen.get(created.id)).toMatchObject({
      id: created.id,
      name: 'every-10s',
      cron: '*/10 * * * * *',
      atMs: 0n,
      timezone: 'Europe/Paris',
      targets: [{ target: { case: 'pipelineId', value: pipeline.id } }, { target: { case: 'jobId', value: job.id } }],
      overlap: OverlapPolicy.SKIP,
      missedFires: MissedFirePolicy.ALL,
      activeSinceMs: BigInt(Date.parse(created.activeSince as string)),
    });

    // A job a schedule starts cannot be deleted.
    const refused = await graphql(
      `
        mutation ($id: ID!) {
          deleteJob(id: $id)
        }
      `,
      { id: job.id },
    );
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toContain('every-10s');
  });

  it('deletes the key when the schedule is disabled or deleted, puts it back when enabled', async () => {
    const { id } = (await ok(`{ schedules { id } }`)).schedules[0];
    const first = seen.get(id)?.activeSinceMs ?? 0n;
    const disabled = (
      await ok(`mutation ($id: ID!) { updateSchedule(id: $id, input: { enabled: false }) { nextFireTimes } }`, { id })
    ).updateSchedule;
    expect(disabled.nextFireTimes).toEqual([]);
    await waitFor(() => seen.has(id) && seen.get(id) === undefined, { what: 'the key deleted' });
    await ok(`mutation ($id: ID!) { updateSchedule(id: $id, input: { enabled: true }) { id } }`, { id });
    await waitFor(() => (seen.get(id)?.activeSinceMs ?? 0n) > first, { what: 'the key put with a later activeSince' });
    // A change that does not move the fire times keeps activeSince.
    const since = seen.get(id)?.activeSinceMs;
    await ok(`mutation ($id: ID!) { updateSchedule(id: $id, input: { overlap: QUEUE }) { id } }`, { id });
    await waitFor(() => seen.get(id)?.overlap === OverlapPolicy.QUEUE, { what: 'the new overlap policy' });
    expect(seen.get(id)?.activeSinceMs).toBe(since);
    await ok(`mutation ($id: ID!) { deleteSchedule(id: $id) }`, { id });
    await waitFor(() => seen.has(id) && seen.get(id) === undefined, { what: 'the key deleted' });
  });

  it('writes schedules imported from fluxi.yaml, and describes L, W and # in English', async () => {
    const yaml = `version: 1
schedules:
  month-end:
    pipeline: ci
    cron: "0 18 L * *"
    missedFires: skip
  third-friday:
    targets: [{ job: sweep }]
    cron: "0 9 * * 5#3"
`;
    await ok(`mutation ($yaml: String!) { importDefinitions(yaml: $yaml) { changes { name action } } }`, { yaml });
    const listed = (await ok(`{ schedules { id name description missedFires } }`)).schedules as Data[];
    expect(listed.map((s) => [s['name'], s['description'], s['missedFires']])).toEqual([
      ['month-end', 'At 18:00, on the last day of the month (UTC)', 'SKIP'],
      ['third-friday', 'At 09:00, on the third Friday of the month (UTC)', 'RUN_ONCE'],
    ]);
    for (const schedule of listed) {
      await waitFor(() => seen.get(schedule['id'] as string) !== undefined, { what: `${schedule['name']} in KV` });
    }
  });
});

describe('catalog migration 007', () => {
  it('moves each schedule’s pipeline into its targets, with the default policies', async () => {
    const dir = tempDir('fluxi-catalog-007-');
    const db = await openDatabase({ embeddedDir: join(dir.path, 'db'), schema: SCHEMA });
    try {
      await migrate(
        db,
        migrations.filter((m) => m.id < '007'),
      );
      await db.query(`INSERT INTO pipelines (id, name, stages) VALUES ('P1', 'ci', '[]'::jsonb)`);
      await db.query(`INSERT INTO schedules (id, name, pipeline_id, cron) VALUES ('S1', 'nightly', 'P1', '0 3 * * *')`);
      expect(
        await migrate(
          db,
          migrations.filter((m) => m.id < '008'),
        ),
      ).toEqual(['007_schedule_targets_policies']);
      expect(await new ScheduleStore(db).require('S1')).toMatchObject({
        targets: [{ pipelineId: 'P1', jobId: null }],
        overlap: 'ALLOW',
        missedFires: 'RUN_ONCE',
      });
    } finally {
      await db.close();
      dir.remove();
    }
  });
});
