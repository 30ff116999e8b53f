import type { Logger } from '@fluxi/common';
import {
  create,
  RecordWebhookDeliveryRequestSchema,
  RecordWebhookDeliveryResponseSchema,
  Subjects,
  WebhookDeliveryResult,
  type RecordWebhookDeliveryResponse,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import { DELIVERY_RESULTS, type DeliveryResult, type WebhookDeliveryStore } from '../../store/webhook-deliveries.js';

/** Longest message kept (the gateway's reasons are short; a sender's text is not trusted). */
const MAX_MESSAGE = 2000;

/**
 * Answers fluxi.scheduler.webhook.delivery: the gateway records each git webhook delivery it
 * received here, after answering its sender. Returns a stop function.
 */
export function serveWebhookDeliveries(nc: NatsConnection, store: WebhookDeliveryStore, logger: Logger): () => void {
  return serve(nc, {
    subject: Subjects.webhookDeliveryRecord,
    request: RecordWebhookDeliveryRequestSchema,
    response: RecordWebhookDeliveryResponseSchema,
    logger,
    handler: async (request): Promise<RecordWebhookDeliveryResponse> => {
      const result = resultName(request.result);
      if (result === undefined || !['github', 'gitlab'].includes(request.provider)) {
        return create(RecordWebhookDeliveryResponseSchema, {
          result: { case: 'error', value: { code: 'BAD_USER_INPUT', message: 'unknown provider or result' } },
        });
      }
      const id = await store.record({
        receivedAt: request.receivedAtMs > 0n ? new Date(Number(request.receivedAtMs)) : new Date(),
        provider: request.provider,
        event: cut(request.event, 200),
        deliveryId: cut(request.deliveryId, 200),
        repository: cut(request.repository, 500),
        ref: cut(request.ref, 500),
        commit: cut(request.commit, 64),
        result,
        message: cut(request.message, MAX_MESSAGE),
        pipelineIds: request.pipelineIds,
        runs: request.runs.map(({ pipelineId, pipelineRunId, number, created }) => ({
          pipelineId,
          pipelineRunId,
          number,
          created,
        })),
      });
      return create(RecordWebhookDeliveryResponseSchema, { result: { case: 'id', value: id } });
    },
  });
}

function resultName(value: WebhookDeliveryResult): DeliveryResult | undefined {
  const name = WebhookDeliveryResult[value] as string | undefined;
  return (DELIVERY_RESULTS as readonly string[]).includes(name ?? '') ? (name as DeliveryResult) : undefined;
}

/** Text without NUL (PostgreSQL refuses it), at most `max` characters. */
function cut(value: string, max: number): string {
  const clean = value.replaceAll('\u0000', '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
