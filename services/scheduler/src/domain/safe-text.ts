/**
 * Text from events (a job's output, a reason, a path) made storable. PostgreSQL's text
 * cannot hold NUL (U+0000) and a JavaScript string may hold lone UTF-16 surrogates,
 * which have no UTF-8 form: a value with either makes the write fail every time it is
 * tried, and the event carrying it would never be recorded.
 */

/** The replacement character, shown where something could not be kept. */
export const REPLACEMENT = '\uFFFD';

/** NUL, and a high surrogate without its low half or a low one without its high half. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex -- likewise.
const NUL = /\u0000/g;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** `text` with every NUL and lone surrogate replaced by U+FFFD; the same string when it has none. */
export function storableText(text: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, REPLACEMENT) : text;
}

/** storableText(), and null as null. */
export const nullableText = (text: string | null): string | null => (text === null ? null : storableText(text));

/**
 * A job's standard output as text: decoded as UTF-8, each invalid sequence replaced by
 * U+FFFD, and NUL bytes dropped, as a shell's `$(…)` drops them (the output is what
 * `$$(name)` puts into later commands).
 */
export function outputText(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  return text.includes('\u0000') ? text.replace(NUL, '') : text;
}

/** `text` made storable and cut to at most `max` characters (an ellipsis marks the cut). */
export function shortText(text: string, max: number): string {
  const safe = storableText(text);
  if (safe.length <= max) return safe;
  // Never cut between the halves of a surrogate pair.
  let end = Math.max(0, max - 1);
  const last = safe.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${safe.slice(0, end)}…`;
}
