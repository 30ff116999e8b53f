import type { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { Buckets } from '@fluxi/contracts';
import { connectNats, openLeaseKv } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';
import { client } from '../e2e/client.js';
import { startSplitFluxi, type SplitFluxi, type SplitTarget } from '../e2e/split-fluxi.js';
import { report } from './harness.js';

interface Fire {
  plannedAt: string;
  firedAt: string | null;
  lateMs: number | null;
  status: string;
  reason: string | null;
  runs: { pipelineRunId: string | null; created: boolean | null; queued: boolean; skipped: string | null }[];
}

const FIRE_FIELDS = 'plannedAt firedAt lateMs status reason runs { pipelineRunId created queued skipped }';

async function createSchedule(gql: GraphQLClient, input: Record<string, unknown>): Promise<string> {
  const data = await gql.request<{ createSchedule: { id: string } }>(
    'mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }',
    { input },
  );
  return data.createSchedule.id;
}

/** The whole history of a schedule, oldest first (through the gateway: catalog + scheduler subgraphs). */
async function history(gql: GraphQLClient, id: string): Promise<Fire[]> {
  const fires: Fire[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { schedule: { history: { nodes: Fire[]; endCursor: string | null; hasNextPage: boolean } } } =
      await gql.request(
        `query ($id: ID!, $after: String) { schedule(id: $id) { history(first: 200, after: $after) { nodes { ${FIRE_FIELDS} } endCursor hasNextPage } } }`,
        { id, after },
      );
    fires.push(...data.schedule.history.nodes);
    if (!data.schedule.history.hasNextPage) return fires.reverse();
    after = data.schedule.history.endCursor;
  }
}

async function setEnabled(gql: GraphQLClient, id: string, enabled: boolean): Promise<void> {
  await gql.request(
    'mutation ($id: ID!, $enabled: Boolean!) { updateSchedule(id: $id, input: { enabled: $enabled }) { id } }',
    {
      id,
      enabled,
    },
  );
}

async function pipelineRuns(gql: GraphQLClient, pipelineId: string) {
  const data = await gql.request<{
    pipelineRuns: { id: string; trigger: string; scheduleId: string | null; plannedAt: string | null }[];
  }>('query ($id: ID!) { pipelineRuns(pipelineId: $id, limit: 100) { id trigger scheduleId plannedAt } }', {
    id: pipelineId,
  });
  return data.pipelineRuns;
}

async function pipelineOf(fluxi: SplitFluxi, name: string, command: string): Promise<string> {
  const jobId = await fluxi.api.createJob({ name: `${name}-job`, command });
  return fluxi.api.createPipeline({ name, stages: [{ name: 'only', entries: [{ jobId }] }] });
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Which scheduler process holds the schedule lease (its holder is host:pid:random). */
async function leader(fluxi: SplitFluxi): Promise<SplitTarget> {
  const nats = await connectNats(fluxi.natsUrl, 'schedules-test', silentLogger());
  try {
    const lease = await (await openLeaseKv(nats, Buckets.leases.scheduleKey)).read();
    const pid = Number(lease?.holder.split(':')[1]);
    for (const target of ['scheduler', 'scheduler-b'] as const) if (fluxi.process(target).pid === pid) return target;
    throw new Error(`no scheduler process holds the lease (${lease?.holder ?? 'none'})`);
  } finally {
    await nats.close();
  }
}

describe('chaos: two scheduler processes, the leader SIGKILLed while a per-second schedule fires', () => {
  let fluxi: SplitFluxi;

  beforeAll(async () => {
    fluxi = await startSplitFluxi({ secondScheduler: true });
  });
  afterAll(async () => {
    await fluxi?.cleanup();
  });

  it('fires every second exactly once: no planned time twice, none missing, one run each', async () => {
    const gql = client(fluxi.gatewayUrl, fluxi.adminKey);
    const pipelineId = await pipelineOf(fluxi, 'tick', 'true');
    const id = await createSchedule(gql, { name: 'every-second', pipelineId, cron: '* * * * * *' });
    await waitFor(async () => (await history(gql, id)).length >= 8, { what: '8 fires', timeoutMs: 60_000 });
    const victim = await leader(fluxi);
    const killedAt = Date.now();
    fluxi.process(victim).kill('SIGKILL');
    const survivor: SplitTarget = victim === 'scheduler' ? 'scheduler-b' : 'scheduler';
    // The other replica takes the lease over and fires again (the gap included, late, once).
    await waitFor(async () => (await history(gql, id)).some((f) => Date.parse(f.firedAt ?? '') > killedAt), {
      what: 'a fire by the other scheduler',
      timeoutMs: 30_000,
    });
    const takeoverMs = Date.now() - killedAt;
    expect(await leader(fluxi)).toBe(survivor);
    await sleep(6000);
    await setEnabled(gql, id, false);
    await sleep(2000); // a pass that had begun before the key was deleted ends
    const fires = await history(gql, id);
    const planned = fires.map((f) => seconds(f.plannedAt));
    const first = planned[0] as number;
    const last = planned[planned.length - 1] as number;
    // Every second from the first fire to the last, each once, each with a run.
    expect(planned).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
    expect(fires.map((f) => f.status)).toEqual(fires.map(() => 'FIRED'));
    const runs = await pipelineRuns(gql, pipelineId);
    expect(runs).toHaveLength(fires.length);
    expect(runs.every((run) => run.trigger === 'schedule' && run.scheduleId === id)).toBe(true);
    expect(new Set(runs.map((run) => run.plannedAt)).size).toBe(runs.length);
    expect(new Set(fires.map((f) => f.runs[0]?.pipelineRunId))).toEqual(new Set(runs.map((run) => run.id)));
    const gapLate = fires.filter((f) => Date.parse(f.plannedAt) > killedAt - 1000).map((f) => f.lateMs ?? 0);
    report('schedule leader SIGKILL (two schedulers)', {
      fires: fires.length,
      seconds: last - first + 1,
      runs: runs.length,
      killed: victim,
      takeoverMs,
      maxLateAfterKillMs: Math.max(...gapLate),
      duplicates: fires.length - new Set(planned).size,
    });
  });
});
