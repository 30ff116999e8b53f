import type { Logger } from '@fluxi/common';
import type { RunStore } from '../store/run-store.js';
import type { CatalogClient, ExecuteQueue } from './ports.js';

/** What the systems of the run engine share. */
export interface EngineResources {
  readonly store: RunStore;
  readonly catalog: CatalogClient;
  readonly queue: ExecuteQueue;
  readonly logger: Logger;
  readonly now: () => Date;
}
