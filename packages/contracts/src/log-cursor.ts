/**
 * The cursor of `jobRunLogs` pages: opaque to clients, shared by the logs service (which
 * makes and reads it) and the gateway (whose live follow reads stored lines after a seq).
 */
export interface LogCursor {
  /** From 1. */
  attempt: number;
  /** The line the page ends with; the next page starts after it. */
  seq: number;
}

/** Attempts are UInt32 in the log store. */
const MAX_ATTEMPT = 0xffff_ffff;

/** base64url of `<attempt>.<seq>`. */
export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(`${cursor.attempt}.${cursor.seq}`, 'utf8').toString('base64url');
}

/** Reads back a cursor made by encodeLogCursor; undefined for anything else. */
export function decodeLogCursor(text: string): LogCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) return undefined;
  const match = /^(\d{1,10})\.(\d{1,16})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (match === null) return undefined;
  const cursor = { attempt: Number(match[1]), seq: Number(match[2]) };
  if (cursor.attempt < 1 || cursor.attempt > MAX_ATTEMPT || !Number.isSafeInteger(cursor.seq)) return undefined;
  // Only the one spelling encodeLogCursor makes (no leading zeros, no stray base64 bits).
  return encodeLogCursor(cursor) === text ? cursor : undefined;
}
