import type { AttemptRef } from './messages.js';

/**
 * The variables Fluxi gives every job, whichever driver runs it; they win over the job's own env.
 * Besides FLUXI_*, GitLab's predefined names for the same things (CI, CI_JOB_ID, CI_PIPELINE_ID,
 * CI_PROJECT_DIR: the work folder); the run's other GitLab variables (CI_PIPELINE_SOURCE, the
 * commit ones, CI_JOB_NAME, CI_NODE_*) are frozen into the job run's env by the scheduler.
 */
export function fluxiEnv(ref: AttemptRef & { workdir?: string }): Record<string, string> {
  return {
    FLUXI_JOB_RUN_ID: ref.jobRunId,
    FLUXI_PIPELINE_RUN_ID: ref.pipelineRunId,
    FLUXI_ATTEMPT: String(ref.attempt),
    CI: 'true',
    CI_JOB_ID: ref.jobRunId,
    CI_PIPELINE_ID: ref.pipelineRunId,
    ...(ref.workdir === undefined || ref.workdir === '' ? {} : { CI_PROJECT_DIR: ref.workdir }),
  };
}
