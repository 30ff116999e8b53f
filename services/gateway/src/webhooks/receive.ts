import { createHash } from 'node:crypto';
import { matchFilters } from './filters.js';
import { parseGitHubDelivery } from './github.js';
import { parseGitLabDelivery } from './gitlab.js';
import { verifyGitHubSignature, verifyGitLabToken, type SignatureCheck } from './signature.js';
import { header, type WebhookEvent, type WebhookHeaders, type WebhookProvider, type WebhookTrigger } from './types.js';

/** A pipeline whose git source is the delivery's repository, as the catalog answers (secret in the clear). */
export interface CandidatePipeline {
  pipelineId: string;
  /** The repository URL the pipeline declares: what a checkout fetches. */
  repository: string;
  branches: string[];
  tags: string[];
  events: WebhookEvent[];
  secret: string;
}

export interface StartedRun {
  pipelineId: string;
  pipelineRunId: string;
  number: number;
  /** False when an earlier delivery with the same id started it (idempotency key). */
  created: boolean;
}

/** What receiving a delivery needs from the rest of Fluxi (the catalog, the scheduler's one trigger). */
export interface WebhookPorts {
  pipelinesOf(repositoryKey: string): Promise<CandidatePipeline[]>;
  trigger(pipeline: CandidatePipeline, trigger: WebhookTrigger, idempotencyKey: string): Promise<StartedRun>;
}

export type DeliveryResult =
  'STARTED' | 'DUPLICATE' | 'NO_MATCH' | 'IGNORED' | 'UNAUTHORIZED' | 'INVALID' | 'TOO_LARGE' | 'FAILED';

/** One received delivery as the delivery list keeps it. */
export interface DeliveryRecord {
  provider: WebhookProvider;
  event: string;
  deliveryId: string;
  repository: string;
  ref: string;
  commit: string;
  result: DeliveryResult;
  /** For the API reader: more precise than the answer to the sender (which pipelines, why not). */
  message: string;
  /** Pipelines whose secret verified the delivery. */
  pipelineIds: string[];
  runs: StartedRun[];
}

/** The JSON answered to the sender: what was started, or why nothing was. Never a stack trace. */
export interface DeliveryAnswer {
  result: Lowercase<DeliveryResult>;
  message: string;
  deliveryId: string;
  runs: StartedRun[];
  skipped: Array<{ pipelineId: string; reason: string }>;
}

export interface DeliveryOutcome {
  status: number;
  answer: DeliveryAnswer;
  record: DeliveryRecord;
}

/** Longest delivery id kept as is in an idempotency key; a longer one is hashed. */
const MAX_DELIVERY_ID = 128;

const EVENT_HEADER: Record<WebhookProvider, string> = { github: 'x-github-event', gitlab: 'x-gitlab-event' };

/**
 * One delivery, in the order of the webhooks README: parse (400 / 2xx ignore), the pipelines of its
 * repository, the signature with each one's secret (none verifies: 401, nothing started), the
 * filters (no match: 2xx), then one trigger per matching pipeline with the idempotency key
 * `webhook:<provider>:<deliveryId>:<pipelineId>`, so a redelivery starts nothing new.
 */
export async function receiveDelivery(
  provider: WebhookProvider,
  headers: WebhookHeaders,
  rawBody: Buffer,
  ports: WebhookPorts,
): Promise<DeliveryOutcome> {
  const parsed = provider === 'github' ? parseGitHubDelivery(headers, rawBody) : parseGitLabDelivery(headers, rawBody);
  const deliveryId = boundedId(parsed.deliveryId);
  const base: DeliveryRecord = {
    provider,
    event: header(headers, EVENT_HEADER[provider]) ?? '',
    deliveryId,
    repository: '',
    ref: '',
    commit: '',
    result: 'IGNORED',
    message: '',
    pipelineIds: [],
    runs: [],
  };
  if (parsed.kind === 'invalid') return outcome(400, { ...base, result: 'INVALID', message: parsed.reason });
  if (parsed.kind === 'ignore') return outcome(200, { ...base, result: 'IGNORED', message: parsed.reason });

  const trigger = { ...parsed, deliveryId };
  const record = { ...base, repository: trigger.repository.key, ref: trigger.ref, commit: trigger.commit };
  let candidates: CandidatePipeline[];
  try {
    candidates = await ports.pipelinesOf(trigger.repository.key);
  } catch (error) {
    return unavailable(record, 'the catalog could not be asked for the pipelines of this repository', error);
  }
  const checks = candidates.map((pipeline) => ({ pipeline, check: verify(provider, headers, rawBody, pipeline) }));
  const verified = checks.filter((c) => c.check.ok).map((c) => c.pipeline);
  if (verified.length === 0) {
    const why =
      candidates.length === 0
        ? `no pipeline declares repository ${trigger.repository.key} with a webhook secret`
        : ((
            checks.find((c) => !c.check.ok && c.check.reason.endsWith('missing'))?.check as
              { reason: string } | undefined
          )?.reason ??
          `the signature does not verify with the webhook secret of any pipeline of ${trigger.repository.key}`);
    return {
      status: 401,
      answer: answerOf(
        { ...record, result: 'UNAUTHORIZED' },
        `signature missing or not valid for repository ${trigger.repository.key}: nothing started`,
      ),
      record: { ...record, result: 'UNAUTHORIZED', message: why },
    };
  }

  const pipelineIds = verified.map((pipeline) => pipeline.pipelineId);
  const skipped: DeliveryAnswer['skipped'] = [];
  const matching = verified.filter((pipeline) => {
    const decision = matchFilters(trigger, pipeline);
    if (!decision.match) skipped.push({ pipelineId: pipeline.pipelineId, reason: decision.reason });
    return decision.match;
  });
  if (matching.length === 0) {
    const message = `no pipeline matches ${trigger.refType} ${trigger.refName}: ${skipped.map((s) => s.reason).join('; ')}`;
    return outcome(200, { ...record, result: 'NO_MATCH', message, pipelineIds }, skipped);
  }
  return startRuns(provider, trigger, matching, ports, { ...record, pipelineIds }, skipped);
}

async function startRuns(
  provider: WebhookProvider,
  trigger: WebhookTrigger,
  matching: CandidatePipeline[],
  ports: WebhookPorts,
  record: DeliveryRecord,
  skipped: DeliveryAnswer['skipped'],
): Promise<DeliveryOutcome> {
  const settled = await Promise.allSettled(
    matching.map((pipeline) =>
      ports.trigger(pipeline, trigger, `webhook:${provider}:${trigger.deliveryId}:${pipeline.pipelineId}`),
    ),
  );
  const runs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ pipeline: matching[i], error: s.reason }] : [],
  );
  if (failures.length > 0) {
    const names = failures.map((f) => `${f.pipeline?.pipelineId}: ${errorText(f.error)}`).join('; ');
    return outcome(
      503,
      {
        ...record,
        result: 'FAILED',
        runs,
        message: `could not start every run (${names}); a redelivery starts only what is missing`,
      },
      skipped,
    );
  }
  const created = runs.filter((run) => run.created).length;
  const result: DeliveryResult = created > 0 ? 'STARTED' : 'DUPLICATE';
  const message =
    created > 0
      ? `started ${created} run${created === 1 ? '' : 's'} for ${trigger.refType} ${trigger.refName} at ${trigger.commit.slice(0, 12)}` +
        (created < runs.length ? ` (${runs.length - created} already started by this delivery id)` : '')
      : `delivery ${trigger.deliveryId} was already received: its runs were started before, nothing new started`;
  return outcome(200, { ...record, result, runs, message }, skipped);
}

function verify(
  provider: WebhookProvider,
  headers: WebhookHeaders,
  rawBody: Buffer,
  pipeline: CandidatePipeline,
): SignatureCheck {
  return provider === 'github'
    ? verifyGitHubSignature(rawBody, header(headers, 'x-hub-signature-256'), pipeline.secret)
    : verifyGitLabToken(header(headers, 'x-gitlab-token'), pipeline.secret);
}

function outcome(status: number, record: DeliveryRecord, skipped: DeliveryAnswer['skipped'] = []): DeliveryOutcome {
  return { status, record, answer: { ...answerOf(record, record.message), skipped } };
}

function answerOf(record: DeliveryRecord, message: string): DeliveryAnswer {
  return {
    result: record.result.toLowerCase() as Lowercase<DeliveryResult>,
    message,
    deliveryId: record.deliveryId,
    runs: record.runs,
    skipped: [],
  };
}

function unavailable(record: DeliveryRecord, what: string, error: unknown): DeliveryOutcome {
  return outcome(503, {
    ...record,
    result: 'FAILED',
    message: `${what} (${errorText(error)}); nothing started, redeliver later`,
  });
}

/** A short text for an error (its message only). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The delivery id as the idempotency key holds it: as sent when short and plain, else hashed. */
function boundedId(id: string): string {
  if (id.length <= MAX_DELIVERY_ID && /^[\w.:-]+$/.test(id)) return id;
  return `sha256:${createHash('sha256').update(id).digest('hex')}`;
}
