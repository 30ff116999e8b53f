import { fileURLToPath } from 'node:url';
import { shellQuote, spawnExitGuard, type GuardHandle } from '@fluxi/common';
import type Docker from 'dockerode';
import { LABELS } from '../../domain/docker-labels.js';
import { engineStatus } from './engine.js';

/**
 * The reaper's entry point, compiled. Resolved from the package root so that the
 * same path serves the compiled driver and its TypeScript source under test.
 */
const REAPER_BIN = fileURLToPath(new URL('../../../dist/drivers/docker/reaper-bin.js', import.meta.url));

/** How long the reaper gives the engine to list and kill the containers. */
export const REAP_TIMEOUT_MS = 15_000;

/**
 * Keeps the containers of this executor life (label `fluxi.executor-instance`) from
 * outliving it: once this process is gone, even by SIGKILL, a guard shell starts the
 * reaper (`reaper-bin.js`), which kills every running container of the instance. They
 * are killed, not removed: the next life of the executor finds them, reports their
 * attempts ("executor restarted") and removes them, as for any orphan.
 */
export function guardContainers(engineHost: string, instance: string): GuardHandle {
  const args = [process.execPath, REAPER_BIN, engineHost, instance].map(shellQuote).join(' ');
  return spawnExitGuard(`read -r _; exec ${args}`);
}

/** Kills every running container labelled with `instance`; returns how many it killed. */
export async function reapContainers(docker: Docker, instance: string, signal: AbortSignal): Promise<number> {
  const running = await docker.listContainers({
    filters: { label: [`${LABELS.instance}=${instance}`], status: ['running', 'paused', 'restarting'] },
    abortSignal: signal,
  });
  const killed = await Promise.all(
    running.map(async (info) => {
      try {
        await docker.getContainer(info.Id).kill({ signal: 'SIGKILL', abortSignal: signal });
        return true;
      } catch (error) {
        // 404: gone meanwhile; 409: stopped meanwhile.
        const status = engineStatus(error);
        if (status === 404 || status === 409) return false;
        throw error;
      }
    }),
  );
  return killed.filter(Boolean).length;
}
