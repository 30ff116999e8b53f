import { describe, expect, it } from 'vitest';
import { eventNames, validateNewNotification, validateNotificationFields } from './notification.js';

describe('validateNewNotification', () => {
  it('stores payload types, defaults the rest and makes a whsec_ secret', () => {
    const made = validateNewNotification({
      name: ' ops ',
      url: 'https://x.example/hook',
      events: ['PIPELINE_RUN_FAILED'],
    });
    expect(made).toMatchObject({ name: 'ops', events: ['pipeline_run.failed'], format: 'STANDARD', enabled: true });
    expect(Buffer.from(made.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(eventNames(made.events)).toEqual(['PIPELINE_RUN_FAILED']);
  });

  it('refuses what cannot be delivered or verified, naming the field', () => {
    const base = { name: 'n', url: 'https://x.example', events: ['JOB_RUN_FAILED'] };
    const field = (input: object) => {
      try {
        validateNewNotification({ ...base, ...input });
      } catch (error) {
        return (error as { field?: string }).field;
      }
      return undefined;
    };
    expect(field({ url: 'ftp://x.example' })).toBe('input.url');
    expect(field({ url: 'https://user:pw@x.example' })).toBe('input.url');
    expect(field({ events: ['NOPE'] })).toBe('input.events.0');
    expect(field({ events: [] })).toBe('input.events');
    expect(field({ secret: 'whsec_c2hvcnQ=' })).toBe('input.secret');
    expect(field({ secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` })).toBeUndefined();
    expect(field({ format: 'XML' })).toBe('input.format');
  });

  it('an update takes only the given fields', () => {
    expect(validateNotificationFields({ enabled: false, name: null })).toEqual({ enabled: false });
  });
});
