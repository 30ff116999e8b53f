/**
 * What of a mutation's arguments goes into its audit entry: only names and ids, flags and
 * roles (an allow-list), never a value that could be a secret (passwords, secret values, env,
 * commands, keys, tokens, a notification's signing secret or its URL, whose path or query may hold
 * a token). Pure.
 */
const SAFE_KEYS = new Set([
  'id',
  'name',
  'userId',
  'jobId',
  'pipelineId',
  'scheduleId',
  'pipelineRunId',
  'jobRunId',
  'role',
  'enabled',
  'disabled',
  'level',
  'expiresAt',
  'stage',
  'failedOnly',
  'idempotencyKey',
  'deliveryId',
  'format',
]);
const MAX_TEXT = 200;

function safeScalar(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return undefined;
}

/** The allow-listed scalar arguments of a call, one level into input objects (`input.name`). */
export function safeArguments(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        const safe = SAFE_KEYS.has(inner) ? safeScalar(innerValue) : undefined;
        if (safe !== undefined) out[`${key}.${inner}`] = safe;
      }
      continue;
    }
    const safe = SAFE_KEYS.has(key) ? safeScalar(value) : undefined;
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}

/** What a call acted on: its `id`, else the id or name in its input. */
export function targetOf(args: Record<string, unknown>): string | undefined {
  const pick = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const input = args['input'];
  const inner = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  return (
    pick(args['id']) ??
    pick(args['pipelineId']) ??
    pick(args['jobId']) ??
    pick(args['deliveryId']) ??
    pick(inner['id']) ??
    pick(inner['userId']) ??
    pick(inner['pipelineId']) ??
    pick(inner['name'])
  );
}
