import { processAlive, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAllStored,
  healthy,
  localServerPid,
  numberedLines,
  report,
  startChaosFluxi,
  watchHealth,
  type ChaosFluxi,
} from './harness.js';

const JOBS = 4;
const LINES = 150;
const EXPECTED = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);

/**
 * The launcher's local nats-server and redis-server are killed (SIGKILL) in the middle
 * of runs: the launcher starts them again on the same port, /health says so while they
 * are away, and every run finishes with every line stored once, in order.
 */
describe.each(['nats-server', 'redis-server'] as const)('chaos: %s killed mid-run', (server) => {
  let fluxi: ChaosFluxi;

  beforeAll(async () => {
    fluxi = await startChaosFluxi();
  });
  afterAll(async () => {
    await fluxi?.stop();
  });

  it('is started again by the launcher, and the runs finish with every line stored', async () => {
    const { api, system, dir } = fluxi;
    const url = system.url as string;
    const jobId = await api.createJob({ name: `printer-${server}`, command: numberedLines(LINES, 20) });
    const pipelineId = await api.createPipeline({
      name: `chaos-${server}`,
      stages: [{ name: 'print', entries: Array.from({ length: JOBS }, (_, i) => ({ jobId, name: `p${i}` })) }],
    });
    const runs = [await api.trigger(pipelineId), await api.trigger(pipelineId)];
    // Kill once the jobs are well into their output.
    await waitFor(async () => (await api.run(runs[0]?.id as string)).jobRuns.some((j) => j.status === 'RUNNING'), {
      what: 'a running job',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pid = localServerPid(dir.path, server);
    const health = watchHealth(url);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), { what: `${server} to die` });
    const restarted = await waitFor(
      () => {
        const next = localServerPid(dir.path, server);
        return next !== pid && processAlive(next) ? next : undefined;
      },
      { what: `${server} to be started again`, timeoutMs: 30_000 },
    );
    await healthy(url);
    const seen = await health.stop();
    const ended = await Promise.all(runs.map((run) => api.ended(run.id, 120_000)));
    const figures = await expectAllStored(api, ended, EXPECTED);
    expect(seen.sawDown).toBe(true);
    expect(seen.downBody).toMatch(server === 'nats-server' ? /"nats":\{"status":"down"/ : /"redis":\{"status":"down"/);
    report(`${server} SIGKILL`, {
      ...figures,
      restartedPid: restarted,
      healthDownAfterMs: (seen.firstDownAt ?? killedAt) - killedAt,
      recoveredAfterMs: (seen.upAgainAt ?? Date.now()) - killedAt,
    });
  });
});
