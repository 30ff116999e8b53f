import { Queue } from 'bullmq';
import { silentLogger } from '@fluxi/common';
import { armedAttemptKey, executeQueueName } from '@fluxi/contracts';
import { createRedisClient } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothStores } from './fixture.js';
import { ms, type RunView } from './fluxi-api.js';

/**
 * The fast path, through the whole mesh: a job run whose only unfinished need is running is
 * armed on it, and the executor enqueues it the moment that need succeeds (its Redis key then
 * says `taken`); the scheduler drops it when the need fails or the run is stopped, and keeps to
 * itself what needs it first (a context reference).
 */
describeOnBothStores('the fast path: the next job queued by the executor', (fluxi) => {
  let redis: ReturnType<typeof createRedisClient>;
  let queue: Queue;
  const armedKey = (jobRunId: string) => armedAttemptKey('fluxi', jobRunId, 1);

  beforeAll(() => {
    redis = createRedisClient(fluxi.system.redisUrl, silentLogger());
    queue = new Queue(executeQueueName(''), { connection: redis, prefix: 'fluxi' });
  });

  afterAll(async () => {
    await queue?.close();
    await redis?.quit();
  });

  async function chain(name: string, commands: string[]): Promise<string> {
    const stages = [];
    for (const [index, command] of commands.entries()) {
      const jobId = await fluxi.api.createJob({ name: `${name}-${index}`, command });
      stages.push({ name: `s${index}`, entries: [{ jobId }] });
    }
    return fluxi.api.createPipeline({ name, stages });
  }

  const byName = (run: RunView, name: string) => run.jobRuns.find((jobRun) => jobRun.name === name);
  /** The sum of a counter's samples whose labels include `label` (a Prometheus text exposition; 0 when none). */
  const counter = (text: string, name: string, label = '') =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

  it('runs a chain with each next job enqueued by the executor, each once, in stage order', async () => {
    const pipelineId = await chain('fast', ['echo a; sleep 0.3', 'sleep 0.3; echo b', 'echo c']);
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    const [a, b, c] = run.jobRuns;
    expect(run.jobRuns.map((jobRun) => [jobRun.status, jobRun.attempt, jobRun.attempts.length])).toEqual([
      ['SUCCESS', 1, 1],
      ['SUCCESS', 1, 1],
      ['SUCCESS', 1, 1],
    ]);
    expect(ms(b!.startedAt)).toBeGreaterThanOrEqual(ms(a!.endedAt));
    expect(ms(c!.startedAt)).toBeGreaterThanOrEqual(ms(b!.endedAt));
    // The executor took both (the first was queued by the trigger, nothing was armed on it).
    expect(await redis.get(armedKey(a!.id))).toBeNull();
    expect(await redis.get(armedKey(b!.id))).toBe('taken');
    expect(await redis.get(armedKey(c!.id))).toBe('taken');
    // Settled: the marks go within a minute.
    expect(await redis.pttl(armedKey(c!.id))).toBeLessThanOrEqual(60_000);
    expect(await fluxi.api.logs(c!.id, (lines) => lines.includes('c'))).toEqual(['c']);
    // The scheduler counts what it armed and found taken.
    const metrics = await (await fetch(`${fluxi.system.url}/metrics`)).text();
    expect(counter(metrics, 'fluxi_scheduler_armed_job_runs_total')).toBeGreaterThanOrEqual(2);
    expect(counter(metrics, 'fluxi_scheduler_armed_claims_total', 'result="taken"')).toBeGreaterThanOrEqual(2);
  });

  it('drops what was armed on a job that fails: skipped, never enqueued, nothing left armed', async () => {
    const pipelineId = await chain('fast-fail', ['sleep 0.3; exit 3', 'echo never']);
    const created = await fluxi.api.trigger(pipelineId);
    const next = created.jobRuns[1]!;
    await waitFor(async () => (await redis.get(armedKey(next.id))) !== null, { what: 'the next job armed' });
    const run = await fluxi.api.ended(created.id);
    expect(run.status).toBe('FAILED');
    expect(byName(run, 'fast-fail-1')).toMatchObject({ status: 'SKIPPED', startedAt: null, attempts: [] });
    expect(await redis.get(armedKey(next.id))).toBeNull();
    expect(await queue.getJob(next.id)).toBeUndefined();
  });

  it('stops an armed job run with its run: cancelled without running', async () => {
    const pipelineId = await chain('fast-cancel', ['sleep 30', 'echo never']);
    const created = await fluxi.api.trigger(pipelineId);
    const next = created.jobRuns[1]!;
    await waitFor(async () => (await redis.get(armedKey(next.id))) !== null, { what: 'the next job armed' });
    await fluxi.api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: created.id });
    const run = await fluxi.api.ended(created.id);
    expect(run.status).toBe('CANCELLED');
    expect(byName(run, 'fast-cancel-1')).toMatchObject({ status: 'CANCELLED', startedAt: null });
    await waitFor(async () => (await redis.get(armedKey(next.id))) === null, { what: 'the arming claimed' });
    expect(await queue.getJob(next.id)).toBeUndefined();
  });

  it('leaves a job that refers to a context to the scheduler, which stores the output first', async () => {
    const pipelineId = await chain('fast-context', ['sleep 0.3; echo from-a', 'echo "got $$(fast-context-0)"']);
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    const second = byName(run, 'fast-context-1')!;
    expect(await redis.get(armedKey(second.id))).toBeNull();
    expect(await fluxi.api.logs(second.id, (lines) => lines.includes('got from-a'))).toContain('got from-a');
  });
});
