/** `notifications.backoff` of the config. */
export interface BackoffOptions {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Fraction of a delay added or taken at random. */
  jitter: number;
}

/**
 * The wait after failed attempt `attempt` (from 1): exponential, capped, then moved by up to
 * ±jitter of itself (`random` in [0, 1)). Pure.
 */
export function retryDelayMs(attempt: number, options: BackoffOptions, random: number): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(base * (1 + options.jitter * (2 * random - 1))));
}

/** What becomes of a delivery after an attempt. Pure. */
export type AttemptVerdict = { status: 'DELIVERED' } | { status: 'PENDING'; retryAt: Date } | { status: 'DEAD' };

export function verdictOf(
  ok: boolean,
  attempt: number,
  lastAttempt: number,
  now: Date,
  delayMs: number,
): AttemptVerdict {
  if (ok) return { status: 'DELIVERED' };
  if (attempt >= lastAttempt) return { status: 'DEAD' };
  return { status: 'PENDING', retryAt: new Date(now.getTime() + delayMs) };
}

/** Whether a receiver's answer counts as delivered: any 2xx. */
export const isDelivered = (statusCode: number | null): boolean =>
  statusCode !== null && statusCode >= 200 && statusCode < 300;

/** At most this many characters of a receiver's answer are kept in the delivery log. */
export const MAX_EXCERPT = 1024;

/** The part of a response kept in the log: at most 1 KiB, whole characters. Pure. */
export function excerptOf(text: string): string {
  if (Buffer.byteLength(text) <= MAX_EXCERPT) return text;
  let cut = text.slice(0, MAX_EXCERPT);
  while (Buffer.byteLength(cut) > MAX_EXCERPT) cut = cut.slice(0, -1);
  return cut;
}
