import type { EngineResources } from '../resources.js';
import type { CancelSystem } from './cancel.js';
import { startLoop } from '../loop.js';
import { errorSummary } from '../../domain/error-summary.js';

/** Checks for runs past their deadline every `intervalMs` until stopped. */
export function startTimeoutLoop(
  resources: EngineResources,
  cancel: CancelSystem,
  intervalMs: number,
): { stop(): Promise<void> } {
  return startLoop(
    intervalMs,
    () => cancel.timeOutOverdue(),
    (error) => resources.logger.warn({ err: errorSummary(error) }, 'run timeout check failed'),
  );
}
