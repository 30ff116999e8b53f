import { FluxiError, notFound, type Logger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  ExecutorAction,
  ExecutorCommandSchema,
  ExecutorState,
  Subjects,
  type ExecutorInfo,
} from '@fluxi/contracts';
import {
  encode,
  lostAfterMs,
  openExecutorView,
  type ExecutorRegistryView,
  type Nats,
  type RegisteredExecutor,
} from '@fluxi/messaging';
import type { ExecutorSeen } from '../../domain/holding.js';
import { isSilent, nextSighting, type HeartbeatSighting } from '../../domain/executor-liveness.js';

/** An executor of the registry as the scheduler sees it. */
export interface ObservedExecutor {
  readonly info: ExecutorInfo;
  /** Its own state, or LOST when it has been silent for two heartbeat intervals. */
  readonly state: ExecutorState;
}

/** How long drainExecutor / resumeExecutor wait for the executor's heartbeat to show the change. */
const CONFIRM_MS = 5000;
const CONFIRM_POLL_MS = 100;
/** Longest wait for the list of executors. */
const LIST_MS = 10_000;

/** `promise`, or an UNAVAILABLE error after `ms`. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FluxiError('UNAVAILABLE', `${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The executors (NATS KV `fluxi-executors`, read from a local copy a watch keeps current:
 * `openExecutorView`), their liveness as this scheduler sees their
 * heartbeats (`domain/executor-liveness.ts`), and the drain/resume commands sent to them
 * (ExecutorCommand on the FLUXI_CONTROL stream). Lost executors are listed until NATS
 * removes their entry (EXECUTOR_ENTRY_TTL_MS, 10 minutes after their last heartbeat).
 */
export class ExecutorDirectory {
  private sightings = new Map<string, HeartbeatSighting>();

  private constructor(
    private readonly nats: Nats,
    private readonly registry: ExecutorRegistryView,
    private readonly now: () => number,
  ) {}

  static async open(nats: Nats, logger: Logger, now: () => number = Date.now): Promise<ExecutorDirectory> {
    const directory = new ExecutorDirectory(nats, await openExecutorView(nats, logger), now);
    void directory.forgetAfterCuts(logger);
    return directory;
  }

  /** Stops following the registry. */
  stop(): Promise<void> {
    return this.registry.stop();
  }

  /** Every executor the registry keeps, by id. */
  async list(): Promise<ObservedExecutor[]> {
    const entries = await bounded(this.registry.list(), LIST_MS, 'the executor registry (NATS KV) did not answer');
    const ids = new Set(entries.map((entry) => entry.info.id));
    for (const id of this.sightings.keys()) if (!ids.has(id)) this.sightings.delete(id);
    return entries.map((entry) => this.observe(entry));
  }

  async get(id: string): Promise<ObservedExecutor | undefined> {
    const entry = await this.registry.get(id);
    if (entry === undefined) {
      this.sightings.delete(id);
      return undefined;
    }
    return this.observe(entry);
  }

  /** Whether the executor holding an active attempt still beats (AttemptHolders). */
  async seen(executorId: string): Promise<ExecutorSeen> {
    const executor = await this.get(executorId);
    if (executor === undefined) return { state: 'unknown' };
    if (executor.state !== ExecutorState.LOST) return { state: 'live' };
    return { state: 'silent', executorId, lastHeartbeatMs: Number(executor.info.lastHeartbeatMs) };
  }

  /** Asks the executor to take no new job; resolves with it once its heartbeat says DRAINING (or after 5 s). */
  drain(id: string, requestedBy: string): Promise<ObservedExecutor> {
    return this.command(id, ExecutorAction.DRAIN, requestedBy, (state) => state === ExecutorState.DRAINING);
  }

  /** Asks a draining executor to take jobs again; resolves once its heartbeat no longer says DRAINING (or after 5 s). */
  resume(id: string, requestedBy: string): Promise<ObservedExecutor> {
    return this.command(id, ExecutorAction.RESUME, requestedBy, (state) => state !== ExecutorState.DRAINING);
  }

  private async command(
    id: string,
    action: ExecutorAction,
    requestedBy: string,
    done: (state: ExecutorState) => boolean,
  ): Promise<ObservedExecutor> {
    const executor = await this.get(id);
    if (executor === undefined) throw notFound('executor', id);
    const verb = action === ExecutorAction.DRAIN ? 'drained' : 'resumed';
    if (executor.state === ExecutorState.LOST) {
      const since = new Date(Number(executor.info.lastHeartbeatMs)).toISOString();
      throw new FluxiError('CONFLICT', `executor ${id} is lost (no heartbeat since ${since}): it cannot be ${verb}`);
    }
    const command = create(ExecutorCommandSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      executorId: id,
      action,
      requestedBy,
    });
    try {
      await this.nats.js.publish(Subjects.executorCommand, encode(ExecutorCommandSchema, command));
    } catch (error) {
      throw new FluxiError(
        'UNAVAILABLE',
        `the ${verb === 'drained' ? 'drain' : 'resume'} of executor ${id} could not be sent: NATS did not store it`,
        {
          cause: error,
        },
      );
    }
    // Applied by the executor as soon as it reads it, then put in its entry at once.
    const deadline = this.now() + CONFIRM_MS;
    let latest = executor;
    while (!done(latest.state) && this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS));
      latest = (await this.get(id)) ?? latest;
    }
    return latest;
  }

  private observe(entry: RegisteredExecutor): ObservedExecutor {
    const now = this.now();
    const sighting = nextSighting(this.sightings.get(entry.info.id), entry.revision, now);
    this.sightings.set(entry.info.id, sighting);
    const silent = isSilent(sighting, now, lostAfterMs(entry.info));
    return { info: entry.info, state: silent ? ExecutorState.LOST : entry.info.state };
  }

  /**
   * While this scheduler was cut off from NATS it saw no heartbeat, and neither did the
   * executors reach NATS if the server itself was away: what it saw before is forgotten,
   * so every executor gets a full period to beat again before it is called lost.
   */
  private async forgetAfterCuts(logger: Logger): Promise<void> {
    try {
      for await (const status of this.nats.nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnect') this.sightings = new Map();
      }
    } catch (error) {
      logger.warn({ err: error }, 'stopped following the NATS connection for executor heartbeats');
    }
  }
}
