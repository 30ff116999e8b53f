import { FluxiError, type Logger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  FindWebhookPipelinesRequestSchema,
  FindWebhookPipelinesResponseSchema,
  RecordWebhookDeliveryRequestSchema,
  RecordWebhookDeliveryResponseSchema,
  Subjects,
  TriggerRunRequestSchema,
  TriggerRunResponseSchema,
  TriggerSource,
  WebhookDeliveryResult,
} from '@fluxi/contracts';
import { request, type NatsConnection } from '@fluxi/messaging';
import type { CandidatePipeline, DeliveryRecord, StartedRun, WebhookPorts } from '../webhooks/receive.js';
import type { WebhookEvent, WebhookTrigger } from '../webhooks/types.js';

/** Repositories whose answer is kept at once; the oldest goes first (senders choose the repository). */
const MAX_CACHED_REPOSITORIES = 1000;

/**
 * The webhook receiver's ports over NATS: the catalog's `fluxi.catalog.webhook.pipelines` (kept
 * `cacheSec` per repository, so a burst of deliveries costs one request) and the scheduler's one
 * trigger `fluxi.scheduler.trigger`.
 */
export function natsWebhookPorts(nc: NatsConnection, cacheSec: number): WebhookPorts {
  const cache = new Map<string, { expires: number; pipelines: CandidatePipeline[] }>();
  return {
    async pipelinesOf(repositoryKey) {
      const now = Date.now();
      const hit = cache.get(repositoryKey);
      if (hit !== undefined && hit.expires > now) return hit.pipelines;
      const reply = await request(
        nc,
        Subjects.webhookPipelines,
        { request: FindWebhookPipelinesRequestSchema, response: FindWebhookPipelinesResponseSchema },
        create(FindWebhookPipelinesRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, repositoryKey }),
      );
      if (reply.result.case !== 'pipelines') {
        throw new FluxiError('UNAVAILABLE', reply.result.value?.message ?? 'the catalog gave no answer');
      }
      const pipelines = reply.result.value.pipelines.map((p) => ({
        pipelineId: p.pipelineId,
        repository: p.repository,
        branches: p.branches,
        tags: p.tags,
        events: p.events.filter((e): e is WebhookEvent => e === 'push' || e === 'tag'),
        secret: p.webhookSecret,
      }));
      if (cacheSec > 0) {
        cache.delete(repositoryKey);
        cache.set(repositoryKey, { expires: now + cacheSec * 1000, pipelines });
        if (cache.size > MAX_CACHED_REPOSITORIES) cache.delete(cache.keys().next().value as string);
      }
      return pipelines;
    },

    async trigger(pipeline, trigger, idempotencyKey): Promise<StartedRun> {
      const reply = await request(
        nc,
        Subjects.trigger,
        { request: TriggerRunRequestSchema, response: TriggerRunResponseSchema },
        create(TriggerRunRequestSchema, {
          version: ContractVersion.CONTRACT_VERSION_1,
          target: { case: 'pipelineId', value: pipeline.pipelineId },
          source: TriggerSource.WEBHOOK,
          idempotencyKey,
          webhookDeliveryId: trigger.deliveryId,
          git: {
            repository: pipeline.repository,
            ref: trigger.ref,
            refType: trigger.refType,
            commit: trigger.commit,
            author: authorText(trigger.author),
            message: trigger.message,
            compareUrl: trigger.compareUrl ?? '',
          },
        }),
        15_000,
      );
      if (reply.result.case !== 'run') {
        const error = reply.result.value;
        throw new FluxiError('UNAVAILABLE', `${error?.code ?? 'UNAVAILABLE'}: ${error?.message ?? 'no answer'}`);
      }
      const run = reply.result.value;
      return {
        pipelineId: pipeline.pipelineId,
        pipelineRunId: run.pipelineRunId,
        number: run.number,
        created: run.created,
      };
    },
  };
}

/** Records a delivery in the scheduler (`fluxi.scheduler.webhook.delivery`); a failure is logged, never answered. */
export async function recordDelivery(
  nc: NatsConnection,
  record: DeliveryRecord,
  receivedAt: Date,
  logger: Logger,
): Promise<void> {
  try {
    const reply = await request(
      nc,
      Subjects.webhookDeliveryRecord,
      { request: RecordWebhookDeliveryRequestSchema, response: RecordWebhookDeliveryResponseSchema },
      create(RecordWebhookDeliveryRequestSchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        provider: record.provider,
        event: record.event,
        deliveryId: record.deliveryId,
        repository: record.repository,
        ref: record.ref,
        commit: record.commit,
        result: WebhookDeliveryResult[record.result],
        message: record.message,
        pipelineIds: record.pipelineIds,
        runs: record.runs,
        receivedAtMs: BigInt(receivedAt.getTime()),
      }),
    );
    if (reply.result.case === 'error') throw new FluxiError('UNAVAILABLE', reply.result.value.message);
  } catch (err) {
    logger.warn(
      { err, provider: record.provider, deliveryId: record.deliveryId, result: record.result },
      'webhook delivery not recorded',
    );
  }
}

/** `Name <email>`, else the username, else empty. */
function authorText(author: WebhookTrigger['author']): string {
  if (author === null) return '';
  if (author.name !== '' && author.email !== '') return `${author.name} <${author.email}>`;
  return author.name || author.username || author.email;
}
