import type { AttemptRef } from './messages.js';

/** The variables Fluxi gives every job, whichever driver runs it; they win over the job's own env. */
export function fluxiEnv(ref: AttemptRef): Record<string, string> {
  return {
    FLUXI_JOB_RUN_ID: ref.jobRunId,
    FLUXI_PIPELINE_RUN_ID: ref.pipelineRunId,
    FLUXI_ATTEMPT: String(ref.attempt),
  };
}
