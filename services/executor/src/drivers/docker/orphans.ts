import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Logger } from '@fluxi/common';
import { LABELS, attemptOfLabels, leftoverKind, type ExecutorIdentity } from '../../domain/docker-labels.js';
import type { DriverHost } from '../driver.js';
import { engineMessage, engineStatus } from './engine.js';

/**
 * Settles the containers an earlier life of this executor left (same executor
 * name, another instance): each is killed, its attempt reported as failed with
 * `options.reason`, then removed. One whose report cannot be stored is left (stopped)
 * for the next life to report. Kept containers (keep on failure) and those of
 * another executor process of the same name alive on this host are left alone.
 */
export async function settleOrphans(
  docker: Docker,
  me: ExecutorIdentity,
  host: DriverHost,
  logger: Logger,
  options: { reason: string; listTimeoutMs: number },
): Promise<void> {
  const { reason } = options;
  const listed = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.executor}=${me.name}`] },
    abortSignal: AbortSignal.timeout(options.listTimeoutMs),
  });
  const self = { host: hostname(), pid: process.pid, alive: processAliveNow };
  for (const info of listed) {
    const labels = info.Labels ?? {};
    if (leftoverKind({ labels, names: info.Names ?? [] }, me, self) !== 'orphan') continue;
    const container = docker.getContainer(info.Id);
    const ref = attemptOfLabels(labels);
    const log = logger.child({ container: info.Id.slice(0, 12), ...ref });
    if (info.State === 'running') {
      await container.kill({ signal: 'SIGKILL' }).catch((error: unknown) => {
        if (engineStatus(error) !== 409)
          log.warn({ reason: engineMessage(error) }, 'could not kill an orphaned container');
      });
    }
    if (ref !== undefined) {
      try {
        await host.reportLost(ref, reason);
      } catch (error) {
        log.warn(
          { err: error },
          'could not report the job run of an orphaned container: it is left for the next start',
        );
        continue;
      }
    }
    try {
      await container.remove({ force: true, v: true });
      log.info('removed a container a previous life of this executor left');
    } catch (error) {
      if (engineStatus(error) !== 404)
        log.warn({ reason: engineMessage(error) }, 'could not remove an orphaned container');
    }
  }
}

/** Whether a process of this host exists (signal 0). */
function processAliveNow(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
