import type { JobRunState } from './model.js';
import { NO_RETRY_RULE } from './retry.js';
import type { RunStatus } from './status.js';

/** A job run for the domain's unit tests: entry and name `name`, one attempt, no retry, nothing run yet. */
export function jr(name: string, stageIndex: number, status: RunStatus, extra: Partial<JobRunState> = {}): JobRunState {
  return {
    id: name,
    name,
    entry: name,
    stageIndex,
    needs: [],
    when: 'on_success',
    allowFailure: false,
    maxAttempts: 1,
    retry: NO_RETRY_RULE,
    status,
    attempt: 1,
    notBefore: null,
    exitCode: null,
    failureClass: null,
    reason: null,
    startedAt: null,
    endedAt: null,
    ...extra,
  };
}
