import { badInput } from '@fluxi/common';

/** Longer keys are refused: a key names an occurrence or a delivery, not a payload. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** A trigger's idempotency key as stored: trimmed; null when absent or blank; BAD_USER_INPUT when too long. */
export function idempotencyKeyOf(value: string | null | undefined, field = 'idempotencyKey'): string | null {
  const key = value?.trim() ?? '';
  if (key === '') return null;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badInput(`${field} is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, field);
  }
  return key;
}
