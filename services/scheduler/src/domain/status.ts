/** Status of a pipeline run and of each of its job runs (GraphQL enum RunStatus). */
export const RUN_STATUSES = [
  'PENDING',
  'QUEUED',
  'RUNNING',
  'SUCCESS',
  'FAILED',
  'CANCELLED',
  'SKIPPED',
  'MANUAL',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Why a job run failed (mirror of the FailureClass contract enum, without UNSPECIFIED). */
export const FAILURE_CLASSES = ['JOB', 'TIMEOUT', 'INFRASTRUCTURE', 'CANCELLED'] as const;
export type FailureClassName = (typeof FAILURE_CLASSES)[number];

/** The class of a contract FailureClass value (1 JOB … 4 CANCELLED); undefined for 0 (unspecified) or unknown. */
export const failureClassOf = (value: number): FailureClassName | undefined => FAILURE_CLASSES[value - 1];

/** How a run was started. */
export const RUN_TRIGGERS = ['manual', 'api', 'schedule', 'webhook', 'rerun'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** When an entry runs, given how what it waits for ended. */
export const WHENS = ['on_success', 'on_failure', 'always', 'manual'] as const;
export type When = (typeof WHENS)[number];

export const isWhen = (value: string): value is When => (WHENS as readonly string[]).includes(value);

const TERMINAL: ReadonlySet<RunStatus> = new Set(['SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED']);
const OPEN: ReadonlySet<RunStatus> = new Set(['PENDING', 'QUEUED', 'RUNNING']);

/** A status no event can leave. */
export const isTerminal = (status: RunStatus): boolean => TERMINAL.has(status);

/** PENDING, QUEUED or RUNNING: the run is not over while one of its job runs is open. */
export const isOpen = (status: RunStatus): boolean => OPEN.has(status);

/**
 * Whether a job run keeps its run from ending: an open one, or a MANUAL one that may not
 * fail (GitLab's blocking manual job, allow_failure false); a MANUAL one that may is skipped over.
 */
export const holdsRun = (jobRun: { readonly status: RunStatus; readonly allowFailure: boolean }): boolean =>
  isOpen(jobRun.status) || (jobRun.status === 'MANUAL' && !jobRun.allowFailure);

export const isRunStatus = (value: string): value is RunStatus => (RUN_STATUSES as readonly string[]).includes(value);

export const isFailureClass = (value: string): value is FailureClassName =>
  (FAILURE_CLASSES as readonly string[]).includes(value);
