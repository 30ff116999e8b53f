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
    const victimPid = fluxi.process(victim).pid;
    const killedAt = Date.now();
    fluxi.process(victim).kill('SIGKILL');
    // The gateway's scheduler subgraph is `scheduler` (one URL, as behind a Kubernetes Service): when
    // that one was the leader, it comes back as a new process, like a restarted pod, so the history
    // stays readable; the lease then goes to whichever live replica takes it first.
    if (victim === 'scheduler') await fluxi.restart('scheduler');
    // Another process takes the lease over and fires again (the gap included, late, once).
    await waitFor(async () => (await history(gql, id)).some((f) => Date.parse(f.firedAt ?? '') > killedAt), {
      what: 'a fire by the other scheduler',
      timeoutMs: 30_000,
    });
    const takeoverMs = Date.now() - killedAt;
    const newLeader = await leader(fluxi);
    expect(fluxi.process(newLeader).pid).not.toBe(victimPid);
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

/** Runs of a pipeline, oldest first, with when each was created and ended. */
async function runSpans(gql: GraphQLClient, pipelineId: string) {
  const data = await gql.request<{ pipelineRuns: { id: string; createdAt: string; endedAt: string | null }[] }>(
    'query ($id: ID!) { pipelineRuns(pipelineId: $id, limit: 100) { id createdAt endedAt } }',
    { id: pipelineId },
  );
  return data.pipelineRuns.reverse();
}

/** Every second from the first planned time to the last is in the history, once. */
function expectContiguous(fires: Fire[]): void {
  const planned = fires.map((f) => seconds(f.plannedAt));
  const first = planned[0] as number;
  expect(planned).toEqual(Array.from({ length: planned.length }, (_, i) => first + i));
}

describe('schedule policies: missed fires across a scheduler stop, overlap, one-shot', () => {
  let fluxi: SplitFluxi;
  const GRACE_SEC = 1;

  beforeAll(async () => {
    fluxi = await startSplitFluxi({ schedulerSettings: { 'scheduler.schedules.graceSec': GRACE_SEC } });
  });
  afterAll(async () => {
    await fluxi?.cleanup();
  });

  it('skip, run_once and all after 6 s without a scheduler: recorded for every planned time', async () => {
    const gql = client(fluxi.gatewayUrl, fluxi.adminKey);
    const pipelineId = await pipelineOf(fluxi, 'quick', 'true');
    const ids: Record<string, string> = {};
    for (const policy of ['SKIP', 'RUN_ONCE', 'ALL']) {
      ids[policy] = await createSchedule(gql, {
        name: `missed-${policy.toLowerCase()}`,
        pipelineId,
        cron: '* * * * * *',
        missedFires: policy,
      });
    }
    await waitFor(async () => (await history(gql, ids['ALL'] as string)).length >= 3, {
      what: 'fires',
      timeoutMs: 60_000,
    });
    const scheduler = fluxi.process('scheduler');
    scheduler.kill('SIGTERM');
    await new Promise<void>((resolve) => scheduler.once('exit', () => resolve()));
    const stoppedAt = Date.now();
    await sleep(6000);
    await fluxi.restart('scheduler');
    await waitFor(
      async () => (await history(gql, ids['ALL'] as string)).some((f) => Date.parse(f.plannedAt) > Date.now() - 1500),
      { what: 'fires after the restart', timeoutMs: 60_000 },
    );
    await sleep(2000);
    for (const id of Object.values(ids)) await setEnabled(gql, id, false);
    await sleep(1500);

    const figures: Record<string, number> = {};
    for (const [policy, id] of Object.entries(ids)) {
      const fires = await history(gql, id);
      expectContiguous(fires);
      // The first pass after the restart: the planned times older than the grace then were missed.
      const pass = Math.min(
        ...fires.filter((f) => Date.parse(f.firedAt ?? '') > stoppedAt).map((f) => Date.parse(f.firedAt ?? '')),
      );
      const missed = fires.filter(
        (f) => Date.parse(f.plannedAt) > stoppedAt && Date.parse(f.plannedAt) < pass - GRACE_SEC * 1000,
      );
      expect(missed.length, policy).toBeGreaterThanOrEqual(3);
      const fired = missed.filter((f) => f.status === 'FIRED');
      const skipped = missed.filter((f) => f.status === 'SKIPPED');
      if (policy === 'SKIP') {
        expect(fired).toEqual([]);
        expect(skipped.every((f) => /missedFires: skip/.test(f.reason ?? ''))).toBe(true);
      } else if (policy === 'RUN_ONCE') {
        // One run for all of them (the latest) unless an on-time fire ran in the same pass.
        expect(fired.length).toBeLessThanOrEqual(1);
        if (fired.length === 1) expect(fired[0]).toBe(missed[missed.length - 1]);
        expect(skipped.length).toBeGreaterThanOrEqual(missed.length - 1);
        expect(skipped.every((f) => /run_once/.test(f.reason ?? ''))).toBe(true);
      } else {
        expect(skipped).toEqual([]);
        expect(fired).toHaveLength(missed.length);
      }
      figures[`${policy.toLowerCase()}Missed`] = missed.length;
      figures[`${policy.toLowerCase()}Fired`] = fired.length;
    }
    report('schedule missed fires (scheduler stopped 6 s)', figures);
  });

  it('overlap skip and queue never run two of a target at once; the queued fire starts when the run ends', async () => {
    const gql = client(fluxi.gatewayUrl, fluxi.adminKey);
    const skipPipeline = await pipelineOf(fluxi, 'slow-skip', 'sleep 3');
    const queuePipeline = await pipelineOf(fluxi, 'slow-queue', 'sleep 3');
    const skip = await createSchedule(gql, {
      name: 'overlap-skip',
      pipelineId: skipPipeline,
      cron: '* * * * * *',
      overlap: 'SKIP',
    });
    const queue = await createSchedule(gql, {
      name: 'overlap-queue',
      pipelineId: queuePipeline,
      cron: '* * * * * *',
      overlap: 'QUEUE',
    });
    await waitFor(
      async () => (await history(gql, queue)).filter((f) => f.reason?.startsWith('queued until') === true).length >= 2,
      { what: 'two queued fires started', timeoutMs: 90_000 },
    );
    await setEnabled(gql, skip, false);
    await setEnabled(gql, queue, false);
    const skipFires = await history(gql, skip);
    const queueFires = await history(gql, queue);
    expect(skipFires.filter((f) => f.reason === 'the previous run is still running').length).toBeGreaterThanOrEqual(2);
    expect(queueFires.filter((f) => /already queued/.test(f.reason ?? '')).length).toBeGreaterThanOrEqual(1);
    for (const pipelineId of [skipPipeline, queuePipeline]) {
      await waitFor(async () => (await runSpans(gql, pipelineId)).every((run) => run.endedAt !== null), {
        what: 'the runs to end',
        timeoutMs: 60_000,
      });
      const spans = await runSpans(gql, pipelineId);
      expect(spans.length).toBeGreaterThanOrEqual(2);
      // Each run was created after the previous one ended: never two at once.
      for (let i = 1; i < spans.length; i += 1) {
        expect(Date.parse(spans[i]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(spans[i - 1]!.endedAt!));
      }
    }
    const fired = (fires: Fire[]) => fires.filter((f) => f.status === 'FIRED').length;
    expect(fired(skipFires)).toBe((await runSpans(gql, skipPipeline)).length);
    report('schedule overlap (sleep 3, every second)', {
      skipFired: fired(skipFires),
      skipSkipped: skipFires.filter((f) => f.status === 'SKIPPED').length,
      queueFired: fired(queueFires),
      queueSkipped: queueFires.filter((f) => f.status === 'SKIPPED').length,
    });
  });

  it('a one-shot fires once', async () => {
    const gql = client(fluxi.gatewayUrl, fluxi.adminKey);
    const pipelineId = await pipelineOf(fluxi, 'once', 'true');
    const at = new Date(Date.now() + 4000).toISOString();
    const id = await createSchedule(gql, { name: 'one-shot', pipelineId, at });
    await waitFor(async () => (await history(gql, id)).length === 1, { what: 'the one-shot fire', timeoutMs: 30_000 });
    await sleep(3000);
    const fires = await history(gql, id);
    expect(fires.map((f) => [f.plannedAt, f.status])).toEqual([[at, 'FIRED']]);
    expect(await pipelineRuns(gql, pipelineId)).toHaveLength(1);
  });
});
