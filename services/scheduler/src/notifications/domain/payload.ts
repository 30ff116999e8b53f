import type { NotificationOccurrence, NotificationType } from './events.js';

/** The version of the payload's shape (the `version` field): bumped when a field changes meaning or goes. */
export const PAYLOAD_VERSION = 1;

/** What the store knows of a run, to complete an occurrence's data. */
export interface RunFacts {
  pipelineRunId: string;
  number: number;
  pipelineId: string | null;
  jobId: string | null;
  /** The pipeline's (or job's) name as frozen in the run. */
  name: string | null;
  status: string;
  trigger: string;
  triggeredBy: string | null;
  branch: string | null;
  commit: string | null;
  failedJobRuns: string[];
}

/** Standard Webhooks payload structure: `type`, `timestamp`, `data`, with our `version`. */
export interface NotificationPayload {
  type: NotificationType;
  version: number;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The payload of an occurrence, with what the store knows of its run (undefined: none, or gone). Pure. */
export function payloadOf(occurrence: NotificationOccurrence, run: RunFacts | undefined): NotificationPayload {
  const runData =
    run === undefined
      ? occurrence.pipelineRunId === null
        ? {}
        : { pipelineRunId: occurrence.pipelineRunId, pipelineId: occurrence.pipelineId }
      : {
          pipelineRunId: run.pipelineRunId,
          number: run.number,
          pipelineId: run.pipelineId,
          jobId: run.jobId,
          pipelineName: run.name,
          status: run.status,
          source: run.trigger,
          triggeredBy: run.triggeredBy,
          branch: run.branch,
          commit: run.commit,
          failedJobRuns: run.failedJobRuns,
        };
  return {
    type: occurrence.type,
    version: PAYLOAD_VERSION,
    timestamp: occurrence.at.toISOString(),
    // The event's own fields win: they are the state at the event, the store's may be later.
    data: { ...runData, ...occurrence.data },
  };
}

const TITLES: Record<NotificationType, string> = {
  'pipeline_run.started': 'started',
  'pipeline_run.succeeded': 'succeeded',
  'pipeline_run.failed': 'failed',
  'pipeline_run.cancelled': 'was cancelled',
  'job_run.failed': 'has a failed job run',
  'executor.lost': 'lost an executor',
  'schedule.fire_failed': 'schedule failed to fire',
  'system.critical_error': 'critical error',
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** One line for a chat (Slack-compatible `{ "text": … }` bodies). Pure. */
export function slackText(payload: NotificationPayload): string {
  const data = payload.data;
  const title = TITLES[payload.type];
  if (payload.type === 'schedule.fire_failed' || payload.type === 'system.critical_error') {
    return `Fluxi: ${title}: ${text(data['name']) ?? ''} ${text(data['message']) ?? ''}`.trim();
  }
  const name = text(data['pipelineName']) ?? text(data['pipelineId']) ?? text(data['jobId']) ?? 'run';
  const number = text(data['number']);
  const parts = [`Fluxi: ${name}${number === undefined ? '' : ` #${number}`} ${title}`];
  const branch = text(data['branch']);
  if (branch !== undefined) parts.push(`on ${branch}`);
  const jobRun = data['jobRun'] as Record<string, unknown> | undefined;
  if (jobRun !== undefined) parts.push(`(${text(jobRun['name']) ?? ''}: ${text(jobRun['reason']) ?? ''})`);
  const failed = data['failedJobRuns'];
  if (payload.type === 'pipeline_run.failed' && Array.isArray(failed) && failed.length > 0) {
    parts.push(`(failed: ${failed.join(', ')})`);
  }
  parts.push(`[${text(data['pipelineRunId']) ?? ''}]`);
  return parts.join(' ');
}

/** The body sent for a format: the payload itself, or `{ text }` for Slack. Pure. */
export function bodyOf(payload: NotificationPayload, format: 'STANDARD' | 'SLACK'): string {
  return JSON.stringify(format === 'SLACK' ? { text: slackText(payload) } : payload);
}
