import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { settlesWithin, type GuardHandle, type Logger } from '@fluxi/common';
import { containerSpec } from '../../domain/container-spec.js';
import { parseEngineAddress, type EngineAddress } from '../../domain/docker-host.js';
import type { ExecutorIdentity } from '../../domain/docker-labels.js';
import {
  StartFailure,
  type Driver,
  type DriverHost,
  type DriverIo,
  type DriverTask,
  type RunningTask,
} from '../driver.js';
import { splitAttachStream } from './attach-output.js';
import { guardContainers } from './container-guard.js';
import { ContainerTask } from './container-task.js';
import { engineClient, engineMessage, NO_SOCKET, startFailure } from './engine.js';
import { ensureImage } from './image.js';
import { settleOrphans } from './orphans.js';

export interface DockerDriverOptions {
  /** executor.docker.host as configured (named in reasons). */
  host: string;
  /** Network mode of job containers. */
  network: string;
  executor: ExecutorIdentity;
  logger: Logger;
  /** How long the output may stay open after a container stopped (default 2 s). */
  drainCapMs?: number;
}

/** How long the engine has to answer the checks at start (ping, the list of leftover containers). */
const ENGINE_CHECK_MS = 10_000;

/** How long a stop waits for the removals of finished containers. */
const REMOVALS_WAIT_MS = 10_000;

/** The reason given to the attempts a previous life of this executor left running. */
export const EXECUTOR_RESTARTED_REASON = 'executor restarted';

/**
 * Runs a job with an image in a container of the configured engine: the image
 * fetched by the job's pull policy, the work folder mounted, output attached
 * before the start, labels naming the attempt and this executor. At init, the
 * containers a previous life of this executor left are reported and removed.
 */
export class DockerDriver implements Driver {
  readonly name = 'docker';
  private readonly address: EngineAddress | undefined;
  private readonly addressError: string | undefined;
  /** The engine's client, made at the first need (see engineClient). */
  private client: Promise<Docker> | undefined;
  private readonly logger: Logger;
  /** Kills this life's containers once the executor is gone (spawned with the first container). */
  private guard: GuardHandle | undefined;
  /** Removals of finished containers still going on. */
  private readonly removals = new Set<Promise<void>>();

  constructor(private readonly options: DockerDriverOptions) {
    this.logger = options.logger.child({ component: 'docker' });
    const address = parseEngineAddress(options.host);
    if ('error' in address) this.addressError = address.error;
    else this.address = address;
  }

  async init(host: DriverHost): Promise<void> {
    if (this.address === undefined) {
      this.logger.warn(
        { reason: this.addressError },
        'docker driver: bad engine address; jobs with an image will fail',
      );
      return;
    }
    if ('socketPath' in this.address && !existsSync(this.address.socketPath)) {
      this.warnUnreachable(NO_SOCKET);
      return;
    }
    const docker = await this.engine(this.address);
    try {
      // The typings know no options for ping; dockerode takes an abort signal on every call.
      const ping = docker.ping.bind(docker) as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
      await ping({ abortSignal: AbortSignal.timeout(ENGINE_CHECK_MS) });
    } catch (error) {
      this.warnUnreachable(engineMessage(error));
      return;
    }
    try {
      await settleOrphans(docker, this.options.executor, host, this.logger, {
        reason: EXECUTOR_RESTARTED_REASON,
        listTimeoutMs: ENGINE_CHECK_MS,
      });
    } catch (error) {
      this.logger.warn({ reason: engineMessage(error) }, 'could not look for containers a previous life left');
    }
  }

  async start(task: DriverTask, io: DriverIo): Promise<RunningTask> {
    if (this.address === undefined) throw new StartFailure(this.addressError ?? 'no docker engine address');
    const docker = await this.engine(this.address);
    const { host } = this.options;
    await ensureImage(docker, task.image, task.container.pullPolicy, { output: io.output, signal: io.signal, host });
    if (io.signal.aborted) throw new StartFailure('the container was not created: the attempt was stopped');
    const spec = containerSpec(task, { network: this.options.network, executor: this.options.executor });
    this.guard ??= guardContainers(host, this.options.executor.instance);
    let container: Docker.Container;
    try {
      container = await docker.createContainer({ ...spec, abortSignal: io.signal });
    } catch (error) {
      throw startFailure(error, 'could not create the container', host);
    }
    try {
      const attached = splitAttachStream(await container.attach({ stream: true, stdout: true, stderr: true }));
      io.output.attach('stdout', attached.stdout);
      io.output.attach('stderr', attached.stderr);
      try {
        await container.start();
      } catch (error) {
        attached.close();
        throw startFailure(error, 'could not start the container', host);
      }
      const pid = this.pidOf(container);
      const running = new ContainerTask(container, attached, {
        ref: task,
        memoryMib: task.container.memoryMib,
        keepOnFailure: task.container.keepOnFailure,
        output: io.output,
        logger: this.logger.child({ jobRunId: task.jobRunId, attempt: task.attempt }),
        drainCapMs: this.options.drainCapMs ?? 2000,
        track: (removal) => this.track(removal),
      });
      // The exit is waited for while the engine is asked for the pid: a short job is not held up by it.
      void running.wait();
      running.pid = await pid;
      return running;
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      if (error instanceof StartFailure) throw error;
      throw startFailure(error, 'could not attach to the container', host);
    }
  }

  /**
   * Waits (at most REMOVALS_WAIT_MS) for the removals still going on; a container left
   * is stopped and is removed by the next life. A clean stop stopped every container
   * in order: the guard has nothing left to do.
   */
  async close(): Promise<void> {
    const pending = [...this.removals];
    if (pending.length > 0 && !(await settlesWithin(Promise.allSettled(pending), REMOVALS_WAIT_MS))) {
      this.logger.warn(
        { containers: this.removals.size },
        'job containers still being removed at stop: left for the next start',
      );
    }
    this.guard?.release();
    this.guard = undefined;
  }

  private warnUnreachable(reason: string): void {
    this.logger.warn(
      { host: this.options.host, reason },
      'docker engine not reachable: jobs with an image fail until it is',
    );
  }

  private engine(address: EngineAddress): Promise<Docker> {
    this.client ??= engineClient(address);
    return this.client;
  }

  private track(removal: Promise<void>): void {
    this.removals.add(removal);
    void removal.finally(() => this.removals.delete(removal));
  }

  /** The host pid of the container's main process (0 once it exited, or when the engine does not say). */
  private async pidOf(container: Docker.Container): Promise<number> {
    try {
      return (await container.inspect()).State.Pid ?? 0;
    } catch {
      return 0;
    }
  }
}
