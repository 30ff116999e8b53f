import { IdPrefix, newId } from '@fluxi/common';
import type { Database } from '@fluxi/db';

export const DELIVERY_RESULTS = [
  'STARTED',
  'DUPLICATE',
  'NO_MATCH',
  'IGNORED',
  'UNAUTHORIZED',
  'INVALID',
  'TOO_LARGE',
  'FAILED',
] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

export interface DeliveryRun {
  pipelineId: string;
  pipelineRunId: string;
  number: number;
  created: boolean;
}

export interface NewWebhookDelivery {
  receivedAt: Date;
  provider: string;
  event: string;
  deliveryId: string;
  repository: string;
  ref: string;
  commit: string;
  result: DeliveryResult;
  message: string;
  pipelineIds: string[];
  runs: DeliveryRun[];
}

export interface WebhookDelivery extends NewWebhookDelivery {
  id: string;
}

export interface DeliveryPage {
  nodes: WebhookDelivery[];
  /** Give as `after` for the next (older) page; null when this one is empty. */
  endCursor: string | null;
  hasNextPage: boolean;
}

const COLUMNS = `id, received_at AS "receivedAt", provider, event, delivery_id AS "deliveryId", repository, ref,
  commit_sha AS "commit", result, message, pipeline_ids AS "pipelineIds", runs`;

/**
 * Received git webhook deliveries (every one, even refused: what a user setting up a webhook
 * needs to see), newest first. Ids are ULIDs, so the id orders them and is the page cursor.
 */
export class WebhookDeliveryStore {
  constructor(private readonly db: Database) {}

  async record(delivery: NewWebhookDelivery): Promise<string> {
    const id = newId(IdPrefix.webhookDelivery);
    await this.db.query(
      `INSERT INTO webhook_deliveries
         (id, received_at, provider, event, delivery_id, repository, ref, commit_sha, result, message, pipeline_ids, runs)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text[], $12::text::jsonb)`,
      [
        id,
        delivery.receivedAt,
        delivery.provider,
        delivery.event,
        delivery.deliveryId,
        delivery.repository,
        delivery.ref,
        delivery.commit,
        delivery.result,
        delivery.message,
        delivery.pipelineIds,
        JSON.stringify(delivery.runs),
      ],
    );
    return id;
  }

  /** `first` newest deliveries older than `after`, of one pipeline (verified for it) or all. */
  async list(options: { pipelineId: string | null; first: number; after: string | null }): Promise<DeliveryPage> {
    const rows = await this.db.query<WebhookDelivery>(
      `SELECT ${COLUMNS} FROM webhook_deliveries
       WHERE ($1::text IS NULL OR $1::text = ANY (pipeline_ids)) AND ($2::text IS NULL OR id < $2::text)
       ORDER BY id DESC LIMIT $3`,
      [options.pipelineId, options.after, options.first + 1],
    );
    const nodes = rows.slice(0, options.first);
    return { nodes, endCursor: nodes.at(-1)?.id ?? null, hasNextPage: rows.length > options.first };
  }
}
