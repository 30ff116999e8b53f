import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeaders } from './signature.js';

const SECRET = `whsec_${Buffer.from('a-test-key-of-32-bytes-exactly!!').toString('base64')}`;

describe('signatureHeaders', () => {
  it('signs as the Standard Webhooks library verifies', () => {
    const body = JSON.stringify({ type: 'pipeline_run.failed', version: 1, data: { n: 'é' } });
    const headers = signatureHeaders(SECRET, 'ND01', new Date(), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('is refused for another body, another id or another secret', () => {
    const body = '{"a":1}';
    const headers = signatureHeaders(SECRET, 'ND01', new Date(), body);
    expect(() => new Webhook(SECRET).verify('{"a":2}', headers)).toThrow();
    expect(() => new Webhook(SECRET).verify(body, { ...headers, 'webhook-id': 'ND02' })).toThrow();
    const other = `whsec_${Buffer.from('another-key-of-32-bytes-exactly!').toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
  });
});
