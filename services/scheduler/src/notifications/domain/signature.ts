import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';

/**
 * Standard Webhooks headers of one delivery attempt: `webhook-id` (the delivery id: the same for
 * every attempt), `webhook-timestamp` (seconds), `webhook-signature` = `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, keyed with the base64-decoded part of the `whsec_…` secret.
 */
export function signatureHeaders(
  secret: string,
  msgId: string,
  at: Date,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const timestamp = Math.floor(at.getTime() / 1000).toString();
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
