import { hostname } from 'node:os';
import { join } from 'node:path';
import { FLUXI_VERSION, settlesWithin, type FluxiConfig, type Logger } from '@fluxi/common';
import { ContractVersion, create, ExecutorInfoSchema, ExecutorState, RunningAttemptSchema } from '@fluxi/contracts';
import type { ExecutorRegistryWriter, Nats } from '@fluxi/messaging';

/** What the executor is doing now, as its heartbeats tell. */
export interface ExecutorStatus {
  /** Draining (an admin's drain, or stopping): finishing what runs, taking nothing new. */
  draining: boolean;
  /** Why it takes no new job although not draining (host admission); undefined: it takes work. */
  pausedReason?: string | undefined;
  running: readonly { jobRunId: string; attempt: number; sinceMs: number }[];
  /** Drivers it can run jobs with. */
  drivers: readonly string[];
}

/** Who the executor is, for its registry entry. */
export interface ExecutorIdentity {
  /** Unique per process: `host:pid`. */
  id: string;
  /** Stable across restarts (config executor.name, default the host name). */
  name: string;
  pool: string;
  tags: readonly string[];
  capacity: number;
}

/** How long a clean stop waits for NATS to take the last put, then the removal of the entry. */
const DELETE_WAIT_MS = 2000;

/** The executor's name: `executor.name` when configured, else the host name. */
export function executorName(config: FluxiConfig): string {
  const configured = config.executor.name;
  return configured !== undefined && configured.trim() !== '' ? configured : hostname();
}

/** The drivers an executor with this configuration runs jobs with. */
export function driversOf(config: FluxiConfig): string[] {
  return config.executor.docker.enabled ? ['shell', 'docker'] : ['shell'];
}

/** Where the executor records the process groups of the jobs it runs (see ProcessGroupGuard). */
export function runningGroupsDir(config: FluxiConfig): string {
  return join(config.dataDir, 'executor', executorName(config), 'running');
}

/**
 * The executor's entry in the registry (NATS KV `fluxi-executors`): put at start, at
 * every heartbeat (`executor.heartbeatSec`), at once when its state changes and after a
 * NATS reconnection; deleted on a clean stop. A put that fails is logged and tried
 * again at the next beat: readers call the executor lost after two missed beats.
 */
export class RegistryHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private pending = false;
  private stopped = false;
  private failing = false;
  private readonly startedAtMs = Date.now();
  private readonly logger: Logger;

  constructor(
    private readonly options: {
      registry: ExecutorRegistryWriter;
      nats: Nats;
      identity: ExecutorIdentity;
      heartbeatMs: number;
      status: () => ExecutorStatus;
      logger: Logger;
    },
  ) {
    this.logger = options.logger.child({ component: 'registry' });
  }

  /** Puts the entry (waiting for it), then beats every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.timer.unref();
    void this.followReconnects();
  }

  /** Puts the entry now (a state change); resolves once that put is done. Never rejects. */
  beat(): Promise<void> {
    if (this.stopped) return this.inFlight;
    // One put at a time; a beat asked for meanwhile is folded into one more put.
    if (this.pending) return this.inFlight;
    this.pending = true;
    this.inFlight = this.inFlight.then(async () => {
      this.pending = false;
      if (this.stopped) return;
      await this.put();
    });
    return this.inFlight;
  }

  /** Stops beating and removes the entry (a clean stop). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    // A put NATS does not take (it is away) is not waited for long: the stop is bounded.
    await settlesWithin(this.inFlight, DELETE_WAIT_MS);
    const removed = this.options.registry.delete(this.options.identity.id).then(
      () => true,
      () => false,
    );
    if (!(await settlesWithin(removed, DELETE_WAIT_MS)) || !(await removed)) {
      this.logger.warn('could not remove this executor from the registry: it will be listed lost until it expires');
    }
  }

  private async put(): Promise<void> {
    const { identity, status, registry, heartbeatMs } = this.options;
    const now = status();
    const info = create(ExecutorInfoSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      id: identity.id,
      name: identity.name,
      host: hostname(),
      pid: process.pid,
      pool: identity.pool,
      tags: [...identity.tags],
      drivers: [...now.drivers],
      buildVersion: FLUXI_VERSION,
      state: now.draining ? ExecutorState.DRAINING : now.running.length > 0 ? ExecutorState.BUSY : ExecutorState.IDLE,
      running: now.running.map((attempt) =>
        create(RunningAttemptSchema, {
          jobRunId: attempt.jobRunId,
          attempt: attempt.attempt,
          startedAtMs: BigInt(attempt.sinceMs),
        }),
      ),
      capacity: identity.capacity,
      lastHeartbeatMs: BigInt(Date.now()),
      startedAtMs: BigInt(this.startedAtMs),
      heartbeatMs: Math.round(heartbeatMs),
      pausedReason: now.pausedReason ?? '',
    });
    try {
      await registry.put(info);
      if (this.failing) this.logger.info('heartbeats reach the registry again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn({ err: error }, 'could not put this executor in the registry; retrying');
      this.failing = true;
    }
  }

  /** After NATS comes back, the entry is put at once rather than at the next beat. */
  private async followReconnects(): Promise<void> {
    for await (const status of this.options.nats.nc.status()) {
      if (this.stopped) return;
      if (status.type === 'reconnect') void this.beat();
    }
  }
}
