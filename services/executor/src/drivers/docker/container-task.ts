import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Logger } from '@fluxi/common';
import { keptName } from '../../domain/docker-labels.js';
import type { AttemptRef } from '../../domain/messages.js';
import type { TaskExit } from '../../domain/outcome.js';
import type { OutputSink, RunningTask } from '../driver.js';
import { waitClosed } from '../pipes.js';
import type { ContainerOutput } from './attach-output.js';
import { engineMessage, engineStatus } from './engine.js';

/** How long the engine has to take a signal for a container. */
const KILL_REQUEST_MS = 10_000;
/**
 * The engine sets a container's OOMKilled flag on the kernel's OOM event, which can reach it
 * after the exit (moby/moby#18510; on a loaded machine more than half a second after it): an
 * exit by a SIGKILL nobody here sent, with a memory limit, asks again this many times, this far
 * apart (up to 2 s), before it counts as a plain exit code 137.
 */
const OOM_FLAG_TRIES = 20;
const OOM_FLAG_RETRY_MS = 100;

export interface ContainerTaskOptions {
  ref: AttemptRef;
  memoryMib: number;
  keepOnFailure: boolean;
  output: OutputSink;
  logger: Logger;
  /** How long the output may stay open after the container stopped. */
  drainCapMs: number;
  /** Takes a removal that goes on after the attempt's result is known (the driver waits for them at close). */
  track(removal: Promise<void>): void;
}

/**
 * A started container. Its end is the end of its main process (everything
 * else in the container goes with it); signals go to that process through the
 * engine. Released, it is kept under a name of its own when it failed and the
 * job asked for that; otherwise its removal is started and handed to the driver,
 * so that the attempt's result does not wait for the engine to delete its files.
 */
export class ContainerTask implements RunningTask {
  private stopped = false;
  /** Whether this task sent the container a SIGKILL (then an exit 137 is not the kernel's). */
  private killSent = false;
  private ending: Promise<TaskExit> | undefined;

  /** The host pid of the container's main process, once the engine told it (0 when it did not). */
  pid = 0;

  constructor(
    private readonly container: Docker.Container,
    private readonly attached: ContainerOutput,
    private readonly options: ContainerTaskOptions,
  ) {}

  /** Starts waiting for the exit at once (the engine answers as soon as it happens); idempotent. */
  wait(): Promise<TaskExit> {
    this.ending ??= this.waitForExit();
    return this.ending;
  }

  async alive(): Promise<boolean> {
    return !this.stopped;
  }

  async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (this.stopped) return;
    if (signal === 'SIGKILL') this.killSent = true;
    try {
      await this.container.kill({ signal, abortSignal: AbortSignal.timeout(KILL_REQUEST_MS) });
    } catch (error) {
      // 409: it stopped meanwhile; 404: it is gone. Anything else: the engine went away, and wait() says so.
      const status = engineStatus(error);
      if (status !== 409 && status !== 404) {
        this.options.logger.warn({ reason: engineMessage(error), signal }, 'could not signal a job container');
      }
    }
  }

  async release(ending: { failed: boolean }): Promise<void> {
    this.attached.close();
    const { options } = this;
    if (ending.failed && options.keepOnFailure) {
      const name = keptName(options.ref, this.container.id);
      try {
        await this.container.rename({ name });
        options.output.system(`the container ${name} is kept for inspection (keep on failure)`);
      } catch (error) {
        options.output.system(`could not keep the container for inspection: ${engineMessage(error)}`);
        await this.remove();
      }
      return;
    }
    options.track(this.remove());
  }

  private async remove(): Promise<void> {
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if (engineStatus(error) !== 404) {
        this.options.logger.warn({ reason: engineMessage(error) }, 'could not remove a job container');
      }
    }
  }

  private async waitForExit(): Promise<TaskExit> {
    let exitCode: number;
    try {
      const answer = (await this.container.wait()) as { StatusCode?: number };
      exitCode = answer.StatusCode ?? -1;
    } catch (error) {
      this.stopped = true;
      this.attached.close();
      return { kind: 'infrastructure', reason: `lost the job's container: ${engineMessage(error)}` };
    }
    this.stopped = true;
    const { stdout, stderr, ended } = this.attached;
    if (!(await waitClosed(ended, [stdout, stderr], this.options.drainCapMs))) {
      this.options.output.system(
        `output still open ${this.options.drainCapMs / 1000}s after the container stopped: closing it`,
      );
      this.attached.close();
    }
    if (exitCode !== 0 && this.options.memoryMib > 0 && (await this.oomKilled(exitCode))) {
      return { kind: 'outOfMemory', memoryMib: this.options.memoryMib };
    }
    return { kind: 'exited', exitCode };
  }

  private async oomKilled(exitCode: number): Promise<boolean> {
    const tries = exitCode === 137 && !this.killSent ? OOM_FLAG_TRIES : 1;
    for (let i = 0; i < tries; i += 1) {
      if (i > 0) await delay(OOM_FLAG_RETRY_MS);
      try {
        if ((await this.container.inspect()).State.OOMKilled === true) return true;
      } catch {
        return false;
      }
    }
    return false;
  }
}
