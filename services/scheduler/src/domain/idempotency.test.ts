import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency.js';

describe('idempotency keys', () => {
  it('are trimmed, and absent when blank', () => {
    expect(idempotencyKeyOf('  schedule:S1:2026-01-01T00:00:00.000Z ')).toBe('schedule:S1:2026-01-01T00:00:00.000Z');
    expect(idempotencyKeyOf('   ')).toBeNull();
    expect(idempotencyKeyOf(undefined)).toBeNull();
    expect(idempotencyKeyOf(null)).toBeNull();
  });

  it('are refused past the length limit, naming the field', () => {
    expect(() => idempotencyKeyOf('k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1), 'options.idempotencyKey')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'options.idempotencyKey' }),
    );
    expect(idempotencyKeyOf('k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH))).toHaveLength(MAX_IDEMPOTENCY_KEY_LENGTH);
  });
});
