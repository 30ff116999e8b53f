/**
 * What may reach a server log line. A log must never hold a job's output, a
 * secret or a query's parameter values, and no single line may flood a file:
 * errors keep only their type, message, code and stack; every string is cut.
 */

/** Longest string kept in a log line's fields (the rest is replaced by a count). */
export const MAX_LOGGED_STRING = 2048;
/** Deepest nesting of a logged value that is written out. */
const MAX_DEPTH = 4;
/** Most entries of an array or object written out. */
const MAX_ENTRIES = 50;

/** Error fields that carry no data of a user's (`detail`, `where`, `parameters`, `query` may). */
const SAFE_ERROR_FIELDS = ['code', 'errno', 'syscall', 'severity', 'routine', 'status', 'statusCode'] as const;

export interface SafeError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: SafeError;
  [field: string]: unknown;
}

/** Cuts a string to `max` characters, saying how much was left out. */
export function cut(text: string, max = MAX_LOGGED_STRING): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** The loggable form of an error: type, message, safe fields, stack and cause, each cut. */
export function safeError(value: unknown, depth = 0): SafeError | unknown {
  if (!(value instanceof Error)) return safeValue(value, depth);
  const out: SafeError = { type: value.name || value.constructor.name, message: cut(value.message) };
  const fields = value as unknown as Record<string, unknown>;
  for (const name of SAFE_ERROR_FIELDS) {
    const field = fields[name];
    if (typeof field === 'string' || typeof field === 'number')
      out[name] = typeof field === 'string' ? cut(field, 100) : field;
  }
  if (value.stack !== undefined) out.stack = cut(stackFrames(value.stack), 4000);
  if (value.cause !== undefined && depth < 3) out.cause = safeError(value.cause, depth + 1) as SafeError;
  return out;
}

/** The stack's frames without its first line, which repeats the (possibly long) message. */
function stackFrames(stack: string): string {
  const at = stack.indexOf('\n    at ');
  return at < 0 ? '' : stack.slice(at + 1);
}

/** Cuts long strings, deep nesting and long lists in a logged object (pino's `formatters.log`). */
export function safeLogValue(object: Record<string, unknown>): Record<string, unknown> {
  return safeValue(object, 0) as Record<string, unknown>;
}

function safeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cut(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return safeError(value, depth);
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ENTRIES).map((item: unknown) => safeValue(item, depth + 1));
    if (value.length > MAX_ENTRIES) items.push(`[${value.length - MAX_ENTRIES} more]`);
    return items;
  }
  if (value instanceof Date || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, field] of Object.entries(value)) {
    if (count++ >= MAX_ENTRIES) {
      out['…'] = `${Object.keys(value).length - MAX_ENTRIES} more fields`;
      break;
    }
    out[key] = safeValue(field, depth + 1);
  }
  return out;
}
