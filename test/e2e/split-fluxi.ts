import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createTestDatabase,
  freePort,
  runFluxiCli,
  startNatsServer,
  startRedisServer,
  tempDir,
  waitFor,
  type CliRun,
  type RestartableServer,
  type TestDatabase,
} from '@fluxi/testkit';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

export const SPLIT_TARGETS = ['catalog', 'scheduler', 'logs', 'executor', 'gateway'] as const;
/** A second executor process (same pool), or a second scheduler replica, started only when asked for. */
export type SplitTarget = (typeof SPLIT_TARGETS)[number] | 'executor-b' | 'scheduler-b';

export interface SplitOptions {
  /** Start a second executor process, `executor-b`. */
  secondExecutor?: boolean;
  /** Settings every executor process gets (e.g. `executor.concurrency`). */
  executorSettings?: Record<string, string | number>;
  /** Start a second scheduler process, `scheduler-b` (same NATS, Redis and PostgreSQL; not in the gateway). */
  secondScheduler?: boolean;
  /** Settings every scheduler process gets (e.g. `scheduler.schedules.leaseTtlMs`). */
  schedulerSettings?: Record<string, string | number>;
}

/** Fluxi as docker-compose and k8s run it: one `fluxi-server --target X` process per service. */
export interface SplitFluxi {
  api: FluxiApi;
  gatewayUrl: string;
  /** The first admin's API key, as the catalog printed it. */
  adminKey: string;
  /** The NATS server every process uses. */
  natsUrl: string;
  process(target: SplitTarget): ChildProcess;
  /** The data folder of a target's process (`--data-dir`). */
  dataDir(target: SplitTarget): string;
  /** Starts a target again (after it exited or was killed), with the same settings. */
  restart(target: SplitTarget): Promise<void>;
  /** SIGTERMs every process and resolves with their exit codes, in SPLIT_TARGETS order (then executor-b, scheduler-b). */
  stopAll(): Promise<(number | string | null)[]>;
  /** Stops whatever is left and removes the servers and data. */
  cleanup(): Promise<void>;
}

export async function startSplitFluxi(options: SplitOptions = {}): Promise<SplitFluxi> {
  const dir = tempDir('fluxi-split-');
  const [nats, redis, database]: [RestartableServer, RestartableServer, TestDatabase] = await Promise.all([
    startNatsServer(),
    startRedisServer(),
    createTestDatabase('fluxi_split'),
  ]);
  const [catalogPort, schedulerPort, logsPort, gatewayPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const settings: Record<SplitTarget, Record<string, string | number>> = {
    catalog: { 'catalog.port': catalogPort },
    scheduler: { 'scheduler.port': schedulerPort, ...options.schedulerSettings },
    'scheduler-b': { ...options.schedulerSettings },
    logs: { 'logs.port': logsPort },
    executor: { 'executor.concurrency': 2, ...options.executorSettings },
    'executor-b': { 'executor.concurrency': 2, ...options.executorSettings },
    gateway: {
      'gateway.port': gatewayPort,
      'gateway.subgraphs.catalog': `http://127.0.0.1:${catalogPort}/graphql`,
      'gateway.subgraphs.scheduler': `http://127.0.0.1:${schedulerPort}/graphql`,
      'gateway.subgraphs.logs': `http://127.0.0.1:${logsPort}/graphql`,
    },
  };
  const runs = new Map<SplitTarget, CliRun>();
  let adminKey = '';
  const launch = (target: SplitTarget): CliRun => {
    const service = target === 'executor-b' ? 'executor' : target === 'scheduler-b' ? 'scheduler' : target;
    const args = ['--target', service, '--data-dir', join(dir.path, target), '--set', 'log.console=false'];
    for (const [key, value] of Object.entries(settings[target])) args.push('--set', `${key}=${value}`);
    const run = runFluxiCli(args, { NATS_URL: nats.url, REDIS_URL: redis.url, DATABASE_URL: database.url });
    run.child.stdout?.on('data', (chunk: Buffer) => {
      const key = /\n\s+(fluxi_\S+)/.exec(chunk.toString())?.[1];
      if (key) adminKey = key;
    });
    runs.set(target, run);
    return run;
  };
  /** Waits for the banner; a process that exits first, or never prints it, fails with what it printed. */
  const ready = async (run: CliRun, target: SplitTarget): Promise<void> => {
    const gone = () => run.child.exitCode !== null || run.child.signalCode !== null;
    const started = await waitFor(() => run.out.stdout.includes('Press Ctrl-C') || (gone() && 'gone'), {
      what: `${target} to start`,
      timeoutMs: 90_000,
    }).catch(() => 'timeout' as const);
    if (started === true) return;
    const how = started === 'gone' ? `exited (${run.child.exitCode ?? run.child.signalCode})` : 'did not start in 90 s';
    throw new Error(`${target} ${how}; its output:\n${run.out.stdout.slice(-4000)}\n${run.out.stderr.slice(-4000)}`);
  };
  const stopOne = async (run: CliRun): Promise<number | string | null> => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
    return run.exited;
  };
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const targets: SplitTarget[] = [
    ...SPLIT_TARGETS,
    ...(options.secondExecutor ? (['executor-b'] as const) : []),
    ...(options.secondScheduler ? (['scheduler-b'] as const) : []),
  ];
  for (const target of ['catalog', 'scheduler', 'logs', 'executor'] as const) launch(target);
  if (options.secondExecutor) launch('executor-b');
  if (options.secondScheduler) launch('scheduler-b');
  await waitFor(() => adminKey !== '', { what: 'the catalog to print the admin key', timeoutMs: 90_000 });
  launch('gateway');
  await Promise.all(targets.map((target) => ready(runs.get(target) as CliRun, target)));
  await waitFor(async () => (await fetch(`${gatewayUrl}/health`)).ok, { what: 'the gateway', timeoutMs: 60_000 });
  return {
    api: new FluxiApi(client(gatewayUrl, adminKey)),
    gatewayUrl,
    adminKey,
    natsUrl: nats.url,
    process: (target) => (runs.get(target) as CliRun).child,
    dataDir: (target) => join(dir.path, target),
    async restart(target) {
      await ready(launch(target), target);
    },
    stopAll: () => Promise.all(targets.map((target) => stopOne(runs.get(target) as CliRun))),
    async cleanup() {
      await Promise.all([...runs.values()].map(stopOne));
      await Promise.all([nats.stop(), redis.stop()]);
      await database.drop();
      dir.remove();
    },
  };
}
