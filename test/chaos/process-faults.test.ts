import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  processAlive,
  processesWith,
  runFluxiCli,
  startNatsServer,
  tempDir,
  waitFor,
  type CliRun,
} from '@fluxi/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { client } from '../e2e/client.js';
import { FluxiApi } from '../e2e/fluxi-api.js';
import { report } from './harness.js';

/** Shutdown grace given to running jobs in these tests (`executor.shutdownGraceSec`). */
const GRACE_SEC = 2;
/** The bound every stop keeps (apps/server/src/stop-bounds.ts): grace + 10 s publish + 5 s + 15 s teardown. */
const STOP_BOUND_MS = (GRACE_SEC + 30) * 1000;

/** The process faults an operator meets: a taken port, a stop with NATS gone, a killed launcher. */
describe('chaos: the launcher process', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Runs fluxi-server in a new data dir, or in `dataDir` (then removed by its first launch's cleanup). */
  function launch(
    args: string[],
    env: Record<string, string> = {},
    dataDir?: string,
  ): { run: CliRun; dataDir: string } {
    const dir = dataDir === undefined ? tempDir('fluxi-chaos-cli-') : { path: dataDir, remove: () => undefined };
    const run = runFluxiCli(
      [
        '--data-dir',
        dir.path,
        '--set',
        'log.console=false',
        '--set',
        `executor.shutdownGraceSec=${GRACE_SEC}`,
        ...args,
      ],
      env,
    );
    cleanups.push(async () => {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        await run.exited;
      }
      dir.remove();
    });
    return { run, dataDir: dir.path };
  }

  async function ready(run: CliRun, dataDir: string): Promise<FluxiApi> {
    await waitFor(() => run.out.stdout.includes('Press Ctrl-C'), { what: 'Fluxi to start', timeoutMs: 90_000 });
    const url = /GraphQL: (\S+)\/graphql/.exec(run.out.stdout)?.[1] as string;
    // Printed on the first start only; always in the data dir.
    const key = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
    return new FluxiApi(client(url, key));
  }

  /** Starts a job that runs until killed, and waits until it runs; resolves with its run's id. */
  async function longJob(api: FluxiApi, marker: string): Promise<string> {
    const runId = await api.triggerJob(await api.createJob({ name: 'long', command: `sleep 300; echo ${marker}` }));
    await api.jobRunIn(runId, 'long', 'RUNNING');
    await waitFor(() => processesWith(marker).length > 0, { what: 'the job process' });
    return runId;
  }

  it('exits non-zero at once when the gateway port is taken, naming the port and how to choose another', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const started = Date.now();
    const { run, dataDir } = launch(['--port', String(port)]);
    const code = await run.exited;
    const tookMs = Date.now() - started;
    expect(code).toBe(1);
    expect(run.out.stderr).toContain(`port ${port} on 127.0.0.1 (gateway.port) is already in use`);
    expect(run.out.stderr).toContain('--port <n>');
    // Nothing was left running: no local server was even started.
    expect(existsSync(join(dataDir, 'nats', 'nats-server.pid'))).toBe(false);
    report('port taken', { exitCode: code, exitedAfterMs: tookMs });
  });

  it('stops within its bound on SIGINT while NATS is gone, leaving nothing running; the next start ends the lost job run', async () => {
    const nats = await startNatsServer({ storeDir: join(tempDir('fluxi-chaos-nats-').path, 'js') });
    cleanups.push(() => nats.stop());
    const { run, dataDir } = launch(['--port', '0'], { NATS_URL: nats.url });
    const api = await ready(run, dataDir);
    const marker = `fluxi-chaos-sigint-${Date.now()}`;
    const runId = await longJob(api, marker);
    await nats.kill();
    const started = Date.now();
    run.child.kill('SIGINT');
    const code = await waitFor(
      async () => (run.child.exitCode !== null || run.child.signalCode !== null ? await run.exited : undefined),
      { what: 'Fluxi to exit after SIGINT', timeoutMs: STOP_BOUND_MS + 5000, intervalMs: 100 },
    );
    const tookMs = Date.now() - started;
    // What it said on the way out names the part that did not stop in order.
    expect(code, `${run.out.stdout.slice(-2000)}\n${run.out.stderr.slice(-2000)}`).toBe(0);
    expect(run.out.stdout).toContain('Fluxi stopped.');
    expect(processesWith(marker)).toEqual([]);
    expect(processesWith(join(dataDir, 'run', 'executor.config.json'))).toEqual([]);

    // The job was killed while nothing could hear of it. The next start finds the attempt no
    // executor holds and ends it FAILED (infrastructure) instead of leaving it RUNNING for ever.
    await nats.restart();
    const again = launch(['--port', '0'], { NATS_URL: nats.url }, dataDir);
    const restartedAt = Date.now();
    const lost = await (await ready(again.run, dataDir)).ended(runId, 60_000);
    expect(lost.status).toBe('FAILED');
    expect(lost.jobRuns[0]).toMatchObject({ status: 'FAILED', failureClass: 'INFRASTRUCTURE' });
    expect(lost.jobRuns[0]?.reason).toMatch(/executor/);
    report('SIGINT with NATS gone', {
      exitCode: code,
      exitedAfterMs: tookMs,
      boundMs: STOP_BOUND_MS,
      lostJobRunEndedAfterRestartMs: Date.now() - restartedAt,
      reason: lost.jobRuns[0]?.reason,
    });
  });

  it('leaves no Fluxi process behind when the launcher is killed with SIGKILL', async () => {
    const { run, dataDir } = launch(['--port', '0']);
    const api = await ready(run, dataDir);
    const marker = `fluxi-chaos-orphan-${Date.now()}`;
    await longJob(api, marker);
    const pids = {
      launcher: run.child.pid as number,
      executor: processesWith(join(dataDir, 'run', 'executor.config.json'))[0] as number,
      nats: Number(readFileSync(join(dataDir, 'nats', 'nats-server.pid'), 'utf8')),
      redis: Number(readFileSync(join(dataDir, 'redis', 'redis-server.pid'), 'utf8')),
      job: processesWith(marker)[0] as number,
    };
    expect(Object.values(pids).every((pid) => pid > 0 && processAlive(pid))).toBe(true);
    const killedAt = Date.now();
    run.child.kill('SIGKILL');
    await waitFor(() => Object.values(pids).every((pid) => !processAlive(pid)), {
      what: `every Fluxi process to end (${JSON.stringify(pids)})`,
      timeoutMs: STOP_BOUND_MS,
      intervalMs: 100,
    });
    report('launcher SIGKILL', { processes: Object.keys(pids).length, allGoneAfterMs: Date.now() - killedAt });
  });
});
