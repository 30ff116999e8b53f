import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from '@fluxi/common';
import { receiveDelivery, type DeliveryRecord, type WebhookPorts } from '../webhooks/receive.js';
import type { WebhookProvider } from '../webhooks/types.js';

export interface WebhookRouteOptions {
  /** gateway.webhooks.maxBodyBytes: a larger body is answered 413 before it is parsed. */
  maxBodyBytes: number;
  ports: WebhookPorts;
  /** Keeps the delivery in the list (after the answer; never fails the request). */
  record(record: DeliveryRecord, receivedAt: Date): Promise<void>;
  logger: Logger;
}

const PROVIDERS: WebhookProvider[] = ['github', 'gitlab'];

/**
 * `POST /hooks/github` and `POST /hooks/gitlab`: no API key, the signature is the authentication.
 * The body is read raw (the signature covers the bytes) up to `maxBodyBytes`; every answer is JSON.
 */
export function mountWebhooks(http: Express, options: WebhookRouteOptions): void {
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes });
  for (const provider of PROVIDERS) {
    http.post(`/hooks/${provider}`, (req: Request, res: Response) => {
      const receivedAt = new Date();
      readBody(req, res, (error?: unknown) => {
        const handled =
          error === undefined
            ? handle(provider, req, res, receivedAt, options)
            : refuseBody(provider, error, req, res, receivedAt, options);
        handled.catch((err: unknown) => {
          options.logger.error({ err, provider }, 'webhook delivery failed');
          if (!res.headersSent)
            res.status(500).json({ result: 'failed', message: 'internal error; nothing was started' });
        });
      });
    });
  }
}

async function handle(
  provider: WebhookProvider,
  req: Request,
  res: Response,
  receivedAt: Date,
  options: WebhookRouteOptions,
): Promise<void> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const outcome = await receiveDelivery(provider, req.headers, body, options.ports);
  res.status(outcome.status).json(outcome.answer);
  const { record } = outcome;
  const log = { provider, deliveryId: record.deliveryId, result: record.result, runs: record.runs.length };
  if (record.result === 'FAILED') options.logger.warn({ ...log, reason: record.message }, 'webhook delivery failed');
  else options.logger.info(log, 'webhook delivery');
  await options.record(record, receivedAt);
}

async function refuseBody(
  provider: WebhookProvider,
  error: unknown,
  req: Request,
  res: Response,
  receivedAt: Date,
  options: WebhookRouteOptions,
): Promise<void> {
  const tooLarge = (error as { type?: string }).type === 'entity.too.large';
  const message = tooLarge
    ? `the body is larger than ${options.maxBodyBytes} bytes (gateway.webhooks.maxBodyBytes): nothing started`
    : 'the body could not be read: nothing started';
  res.status(tooLarge ? 413 : 400).json({ result: tooLarge ? 'too_large' : 'invalid', message, runs: [], skipped: [] });
  const event = req.headers[provider === 'github' ? 'x-github-event' : 'x-gitlab-event'];
  await options.record(
    {
      provider,
      event: typeof event === 'string' ? event : '',
      deliveryId: '',
      repository: '',
      ref: '',
      commit: '',
      result: tooLarge ? 'TOO_LARGE' : 'INVALID',
      message,
      pipelineIds: [],
      runs: [],
    },
    receivedAt,
  );
}
