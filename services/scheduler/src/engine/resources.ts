import type { Logger } from '@fluxi/common';
import type { RunStore } from '../store/run-store.js';
import type { CatalogClient, ExecuteQueue, ExecutorControl } from './ports.js';

/** What the systems of the run engine share. */
export interface EngineResources {
  readonly store: RunStore;
  readonly catalog: CatalogClient;
  readonly queue: ExecuteQueue;
  readonly executors: ExecutorControl;
  readonly logger: Logger;
  readonly now: () => Date;
  /** In [0, 1): retry jitter. */
  readonly random: () => number;
}
