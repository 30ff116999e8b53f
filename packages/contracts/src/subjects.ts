/**
 * NATS names shared by every service: JetStream streams, their subjects, and the
 * request/reply subjects. The payload of each is a message from proto/.
 */
export const Streams = {
  /** Job run lifecycle events (JobRunEvent). */
  events: { name: 'FLUXI_EVENTS', subjects: ['fluxi.events.>'] },
  /**
   * Job output (LogChunk). It holds what the logs service has not stored yet (a stored chunk is
   * removed a second later), up to `maxBytes`: past that, a publish is refused (discard new) and
   * the executor waits for room, its lines in memory, then its spool, then the job paused; none
   * is dropped. 1 GiB, an attempt's spool: ~2 minutes of backlog for a job printing short lines
   * as fast as the logs service stores them (a tighter limit moves the backlog to the spool, whose
   * writing and reading back cost the CPU the logs service needs: 25M lines with 256 MiB, 141 s
   * instead of 108 s). Keep it well above a chunk (256 KiB of text). A limit an operator set on
   * the stream is kept (with discard new: discard old would drop what is not stored yet).
   */
  logs: { name: 'FLUXI_LOGS', subjects: ['fluxi.logs.>'], maxBytes: 1024 * 1024 * 1024 },
  /**
   * Commands to every executor (CancelJobRun, ExecutorCommand). A stream, not a core broadcast, so that
   * an executor cut off from NATS for a moment still gets what was sent meanwhile;
   * kept 10 minutes, as long as an executor remembers a cancel.
   */
  control: { name: 'FLUXI_CONTROL', subjects: ['fluxi.executor.cancel', 'fluxi.executor.command'], maxAgeMs: 600_000 },
  /** Audit entries (AuditEntry) on their way to the catalog's table; kept a week for a catalog that was away. */
  audit: { name: 'FLUXI_AUDIT', subjects: ['fluxi.audit.>'], maxAgeMs: 7 * 24 * 3_600_000 },
} as const;

/** NATS KV buckets. */
export const Buckets = {
  /** Installation-wide settings changed at run time; key `log` holds LogSettings. */
  settings: { name: 'fluxi-settings', logKey: 'log' },
  /**
   * The executor registry: key = executor id, value = ExecutorInfo, put at every
   * heartbeat; an entry without a new one for `lostAfterHeartbeats` intervals is lost
   * (NATS removes it later: EXECUTOR_ENTRY_TTL_MS in @fluxi/messaging).
   */
  executors: { name: 'fluxi-executors', lostAfterHeartbeats: 2 },
  /**
   * Schedules the scheduler fires: key = schedule id, value = ScheduleDefinition, put by the catalog
   * for each enabled schedule and deleted when it is deleted or disabled; watched by every scheduler.
   */
  schedules: { name: 'fluxi-schedules' },
  /** Leader leases between replicas of a service: key `schedules` = ScheduleLease (who fires schedules). */
  leases: { name: 'fluxi-leases', scheduleKey: 'schedules' },
} as const;

export const Subjects = {
  jobRunEvent: (jobRunId: string): string => `fluxi.events.jobrun.${jobRunId}`,
  /**
   * RunEvent of one pipeline run (stream FLUXI_EVENTS), published by the scheduler's outbox relay in
   * `seq` order with the event id as message id; `fluxi.events.run.*` follows every run.
   */
  runEvent: (pipelineRunId: string): string => `fluxi.events.run.${pipelineRunId}`,
  logChunk: (pipelineRunId: string, jobRunId: string): string => `fluxi.logs.${pipelineRunId}.${jobRunId}`,
  /** Request GetPipelineSnapshotRequest → GetPipelineSnapshotResponse. */
  pipelineSnapshot: 'fluxi.catalog.pipeline.snapshot',
  /** Request GetJobRequest → GetJobResponse. */
  jobGet: 'fluxi.catalog.job.get',
  /** Request VerifyApiKeyRequest → VerifyApiKeyResponse (API keys and login session tokens alike). */
  apiKeyVerify: 'fluxi.catalog.apikey.verify',
  /** Request LoginRequest → LoginResponse: a user name and password for a session token. */
  authLogin: 'fluxi.catalog.auth.login',
  /** Request LogoutRequest → LogoutResponse: ends a session. */
  authLogout: 'fluxi.catalog.auth.logout',
  /**
   * Core NATS, no payload: users, keys or sessions changed (disabled, deleted, revoked, role); gateways
   * forget the principals they cached.
   */
  authChanged: 'fluxi.auth.changed',
  /** AuditEntry on the FLUXI_AUDIT stream (message id = entry id); the catalog's durable consumer stores it. */
  auditEntry: 'fluxi.audit.entry',
  /**
   * Request ResolveSecretsRequest → ResolveSecretsResponse: the values of a job's secrets at attempt start
   * (the executor asks the catalog, which alone holds the key; values in the clear, for the job's env only).
   */
  secretsResolve: 'fluxi.catalog.secrets.resolve',
  /** Request ListNotificationSubscriptionsRequest → ListNotificationSubscriptionsResponse (the scheduler asks the catalog). */
  notificationSubscriptions: 'fluxi.catalog.notifications.list',
  /**
   * Request GetNotificationTargetRequest → GetNotificationTargetResponse: a subscription's URL, format and
   * signing secret in the clear, asked by the scheduler for each delivery attempt (the catalog holds the key).
   */
  notificationTarget: 'fluxi.catalog.notifications.target',
  /** Request DisableNotificationSubscriptionRequest → DisableNotificationSubscriptionResponse (auto-disable). */
  notificationDisable: 'fluxi.catalog.notifications.disable',
  /** Core NATS, no payload: notification subscriptions changed; schedulers forget the list they cached. */
  notificationsChanged: 'fluxi.catalog.notifications.changed',
  /** Request ResolveContextsRequest → ResolveContextsResponse (executor asks the scheduler). */
  contextsResolve: 'fluxi.scheduler.contexts.resolve',
  /** Request TriggerRunRequest → TriggerRunResponse: the one trigger of every run (gateway webhooks, schedules). */
  trigger: 'fluxi.scheduler.trigger',
  /**
   * Request FindWebhookPipelinesRequest → FindWebhookPipelinesResponse: the pipelines of a repository with
   * their filters and webhook secrets in the clear (the gateway asks the catalog, which holds the key).
   */
  webhookPipelines: 'fluxi.catalog.webhook.pipelines',
  /** Request RecordWebhookDeliveryRequest → RecordWebhookDeliveryResponse (the gateway records a delivery in the scheduler). */
  webhookDeliveryRecord: 'fluxi.scheduler.webhook.delivery',
  /** Request GetJobRunRequest → GetJobRunResponse (the logs service asks the scheduler). */
  jobRunGet: 'fluxi.scheduler.jobrun.get',
  /** CancelJobRun, on the FLUXI_CONTROL stream: every executor stops the attempt if it runs it. */
  jobRunCancel: 'fluxi.executor.cancel',
  /** ExecutorCommand (drain, resume), on the FLUXI_CONTROL stream: the executor it names applies it. */
  executorCommand: 'fluxi.executor.command',
} as const;

/** The pool of a job that names none. */
export const DEFAULT_POOL = 'default';

/**
 * The rule of pool and tag names: lowercase letters and digits, with single "-" between
 * them (at most 63 characters), so that "--" and "+" can separate them in a queue name.
 */
export const ROUTE_NAME = /^(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const ROUTE_NAME_RULE = '1-63 lowercase letters and digits, with single "-" between them';

/** The tags of a route as they name its queue: distinct, sorted. */
export const routeTags = (tags: readonly string[]): string[] =>
  [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * BullMQ queue of the jobs of a pool that require a tag set (payload: ExecuteJob as proto
 * JSON): `execute-<pool>` without tags, `execute-<pool>--<tags sorted, joined by +>` with
 * tags. An executor of the pool consumes every queue whose tags it all carries. An empty
 * pool is DEFAULT_POOL.
 */
export const executeQueueName = (pool: string, tags: readonly string[] = []): string => {
  const base = `execute-${pool === '' ? DEFAULT_POOL : pool}`;
  return tags.length === 0 ? base : `${base}--${routeTags(tags).join('+')}`;
};

/** The pool and tags an execute queue name stands for; undefined for any other name. */
export function parseExecuteQueueName(name: string): { pool: string; tags: string[] } | undefined {
  const match = /^execute-([a-z0-9-]+?)(?:--([a-z0-9+-]+))?$/.exec(name);
  if (match === null) return undefined;
  const pool = match[1] as string;
  const tags = match[2] === undefined ? [] : match[2].split('+');
  if (!ROUTE_NAME.test(pool) || !tags.every((tag) => ROUTE_NAME.test(tag))) return undefined;
  return executeQueueName(pool, tags) === name ? { pool, tags } : undefined;
}

/**
 * Redis set (under the BullMQ prefix) of the execute queue names of a pool that the
 * scheduler has put jobs in: executors of the pool read it to consume new tag queues.
 */
export const executeQueuesKey = (prefix: string, pool: string): string => `${prefix}:fluxi:queues:${pool}`;

/** Redis set (under the BullMQ prefix) of the pools whose queues executeQueuesKey lists. */
export const executePoolsKey = (prefix: string): string => `${prefix}:fluxi:pools`;

/**
 * BullMQ job id of an attempt: the job-run id for attempt 1, `${id}-a${attempt}` after.
 * One id per attempt, so an attempt is never enqueued twice.
 */
export const executeJobId = (jobRunId: string, attempt: number): string =>
  attempt <= 1 ? jobRunId : `${jobRunId}-a${attempt}`;

/**
 * Redis key (under the BullMQ prefix) of an armed attempt: a job run whose only unfinished need is
 * one attempt that is queued or running. It holds the BullMQ job to add (JSON `ArmedJob`); the
 * executor that runs the need adds it the moment the need succeeds, or the scheduler does when it
 * applies the need's end. Whoever deletes the key first hands the attempt over: it runs once.
 */
export const armedAttemptKey = (prefix: string, jobRunId: string, attempt: number): string =>
  `${prefix}:fluxi:armed:${executeJobId(jobRunId, attempt)}`;

/** Redis set (under the BullMQ prefix) of the armedAttemptKey keys waiting for the success of this attempt. */
export const armedOnKey = (prefix: string, jobRunId: string, attempt: number): string =>
  `${prefix}:fluxi:armed-on:${executeJobId(jobRunId, attempt)}`;

/** What an executor leaves in an armedAttemptKey once it has enqueued the job (until the key expires). */
export const ARMED_TAKEN = 'taken';

/** What an armedAttemptKey holds: the execute queue and the BullMQ job (name, data, options) to add there. */
export interface ArmedJob {
  readonly queue: string;
  readonly name: string;
  readonly data: { readonly payload: unknown };
  readonly opts: Readonly<Record<string, unknown>>;
}
