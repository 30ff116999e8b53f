import { ExecutorState } from '@fluxi/contracts';
import type { DirectoryExecutor } from '../../domain/waiting.js';
import type { ExecutorDirectory as ExecutorDirectoryPort } from '../../engine/ports.js';
import type { ObservedExecutor } from './executor-directory.js';

const STATES: Partial<Record<ExecutorState, DirectoryExecutor['state']>> = {
  [ExecutorState.IDLE]: 'idle',
  [ExecutorState.BUSY]: 'busy',
  [ExecutorState.DRAINING]: 'draining',
  [ExecutorState.LOST]: 'lost',
};

/**
 * The ExecutorDirectory port over the executor registry (NATS KV `fluxi-executors`, read
 * by executor-directory.ts with the scheduler's own view of heartbeats): pool, tags,
 * state and paused reason (host admission) of each executor it keeps. An entry without a state counts as taking work.
 */
export function executorPools(directory: { list(): Promise<readonly ObservedExecutor[]> }): ExecutorDirectoryPort {
  return {
    async list() {
      return (await directory.list()).map((executor) => ({
        pool: executor.info.pool === '' ? 'default' : executor.info.pool,
        tags: [...executor.info.tags],
        state: STATES[executor.state] ?? 'idle',
        pausedReason: executor.info.pausedReason,
      }));
    },
  };
}
