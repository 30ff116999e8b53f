import type { RunTrigger } from './status.js';

/** Where a run came from, as its GitLab-style variables need it. */
export interface RunOrigin {
  readonly runId: string;
  readonly trigger: RunTrigger;
  /** A branch asked for at trigger time, if any. */
  readonly branch?: string | null;
  readonly commitSha?: string | null;
  /** The git push behind a webhook run. */
  readonly git?: { readonly ref: string; readonly refType: 'branch' | 'tag'; readonly commit: string } | undefined;
  /** The installation's default branch (config scheduler.ciDefaultBranch); absent or empty: not set. */
  readonly defaultBranch?: string | undefined;
}

/** GitLab's CI_PIPELINE_SOURCE for each Fluxi trigger. */
const PIPELINE_SOURCE: Record<RunTrigger, string> = {
  manual: 'web',
  rerun: 'web',
  api: 'api',
  schedule: 'schedule',
  webhook: 'push',
};

/**
 * The run's GitLab predefined variables (CI, CI_PIPELINE_ID, CI_PIPELINE_SOURCE, the
 * commit ones and CI_DEFAULT_BRANCH), frozen into every job run's environment when the run is created. The
 * executor adds the attempt's own (CI_JOB_ID, CI_PROJECT_DIR) next to FLUXI_*.
 */
export function runVariables(origin: RunOrigin): Record<string, string> {
  const git = origin.git;
  const refName = git === undefined ? (origin.branch ?? '') : git.ref.replace(/^refs\/(heads|tags)\//, '');
  const isTag = git?.refType === 'tag';
  const variables: Record<string, string> = {
    CI: 'true',
    CI_PIPELINE_ID: origin.runId,
    CI_PIPELINE_SOURCE: PIPELINE_SOURCE[origin.trigger],
    CI_COMMIT_SHA: git?.commit ?? origin.commitSha ?? '',
    CI_COMMIT_REF_NAME: refName,
  };
  if (refName !== '') variables[isTag ? 'CI_COMMIT_TAG' : 'CI_COMMIT_BRANCH'] = refName;
  if (origin.defaultBranch !== undefined && origin.defaultBranch !== '') {
    variables['CI_DEFAULT_BRANCH'] = origin.defaultBranch;
  }
  return variables;
}

/** A job run's own: its name, and its place among the cells of a matrix entry (1-based, as GitLab's parallel). */
export function jobVariables(plan: {
  readonly name: string;
  readonly cellIndex: number;
  readonly cellCount: number;
}): Record<string, string> {
  return {
    CI_JOB_NAME: plan.name,
    ...(plan.cellCount > 1 ? { CI_NODE_INDEX: String(plan.cellIndex), CI_NODE_TOTAL: String(plan.cellCount) } : {}),
  };
}
