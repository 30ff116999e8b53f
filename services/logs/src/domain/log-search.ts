import { createHash } from 'node:crypto';
import { badInput } from '@fluxi/common';
import { LEVEL_NAMES_LIST, STREAM_NAMES_LIST, type LineLevelName, type LogStreamName } from './log-row.js';

export const DEFAULT_SEARCH_PAGE = 50;
export const MAX_SEARCH_PAGE = 200;
export const DEFAULT_CONTEXT_LINES = 2;
export const MAX_CONTEXT_LINES = 10;
const MAX_QUERY_CHARS = 1000;
const MAX_TERMS = 20;

/** The outcome of an attempt, as its `finished` event said. */
export type AttemptStatus = 'SUCCESS' | 'FAILED' | 'CANCELLED';
const STATUSES: readonly AttemptStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

/** Newest first (the default) or oldest first, by line time, then job run, attempt and seq. */
export type SearchOrder = 'NEWEST_FIRST' | 'OLDEST_FIRST';

/**
 * One condition on a line's text. `text`: a word or "a phrase", found anywhere in the
 * line, ignoring case. `regex`: an RE2 expression (ClickHouse `match`), case-sensitive
 * unless it starts with (?i).
 */
export interface SearchTerm {
  kind: 'text' | 'regex';
  value: string;
}

/** GraphQL `LogSearchFilter`: absent and null both mean "not set". */
export interface SearchFilterArgs {
  pipelineId?: string | null;
  pipelineRunId?: string | null;
  jobId?: string | null;
  jobName?: string | null;
  jobRunId?: string | null;
  status?: readonly AttemptStatus[] | null;
  levels?: readonly LineLevelName[] | null;
  streams?: readonly LogStreamName[] | null;
  from?: string | null;
  to?: string | null;
}

/** Checked filters: every one set must hold. */
export interface SearchFilter {
  pipelineId?: string;
  pipelineRunId?: string;
  jobId?: string;
  jobName?: string;
  jobRunId?: string;
  statuses: AttemptStatus[];
  levels: LineLevelName[];
  streams: LogStreamName[];
  /** Lines at or after (ms since the epoch). */
  fromMs?: number;
  /** Lines before. */
  toMs?: number;
}

/** A line's place in the search order. */
export interface SearchPosition {
  tsMs: number;
  jobRunId: string;
  attempt: number;
  seq: number;
}

export interface SearchArgs {
  query?: string | null;
  filter?: SearchFilterArgs | null;
  order?: SearchOrder | null;
  context?: number | null;
  first?: number | null;
  after?: string | null;
}

export interface SearchRequest {
  terms: SearchTerm[];
  filter: SearchFilter;
  order: SearchOrder;
  context: number;
  first: number;
  after: SearchPosition | undefined;
  /** Names this search (terms, filter, order) so a cursor of another one is refused. */
  fingerprint: string;
}

/**
 * The terms of a search text: whitespace-separated words, "quoted phrases" (\" for a
 * quote inside) and /regular expressions/ (ending at a / followed by a space or the
 * end; without one, a word: /usr/lib). Every term must match. Throws BAD_USER_INPUT on `field`.
 */
export function parseSearchQuery(query: string, field = 'query'): SearchTerm[] {
  if (query.length > MAX_QUERY_CHARS) throw badInput(`${field} is longer than ${MAX_QUERY_CHARS} characters`, field);
  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query[i] as string;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const read =
      char === '"'
        ? readPhrase(query, i, field)
        : ((char === '/' ? readRegex(query, i, field) : undefined) ?? readWord(query, i));
    terms.push(read.term);
    i = read.end;
  }
  if (terms.length > MAX_TERMS) throw badInput(`${field} has more than ${MAX_TERMS} terms`, field);
  return terms;
}

interface ReadTerm {
  term: SearchTerm;
  /** Index after the term. */
  end: number;
}

function readPhrase(query: string, start: number, field: string): ReadTerm {
  let value = '';
  let j = start + 1;
  for (; j < query.length && query[j] !== '"'; j += 1) {
    if (query[j] === '\\' && query[j + 1] === '"') j += 1;
    value += query[j] as string;
  }
  if (j >= query.length) throw badInput(`${field} has a phrase without its closing quote`, field);
  if (value.trim() === '') throw badInput(`${field} has an empty phrase ""`, field);
  return { term: { kind: 'text', value }, end: j + 1 };
}

/** A /regex/, or undefined when no closing / follows (then it is a word: /usr/lib). */
function readRegex(query: string, start: number, field: string): ReadTerm | undefined {
  let j = start + 1;
  for (; j < query.length; j += 1) {
    if (query[j] === '\\') j += 1;
    else if (query[j] === '/' && (j + 1 === query.length || /\s/.test(query[j + 1] as string))) break;
  }
  if (j >= query.length) return undefined;
  const value = query.slice(start + 1, j);
  if (value === '') throw badInput(`${field} has an empty regular expression //`, field);
  return { term: { kind: 'regex', value }, end: j + 1 };
}

function readWord(query: string, start: number): ReadTerm {
  let j = start;
  while (j < query.length && !/\s/.test(query[j] as string)) j += 1;
  return { term: { kind: 'text', value: query.slice(start, j) }, end: j };
}

/** Checks a `LogSearchFilter`; `field` prefixes the names in errors. */
export function parseSearchFilter(args: SearchFilterArgs | null | undefined, field = 'filter'): SearchFilter {
  const filter: SearchFilter = {
    statuses: [...new Set(args?.status ?? [])],
    levels: [...new Set(args?.levels ?? [])],
    streams: [...new Set(args?.streams ?? [])],
  };
  for (const key of ['pipelineId', 'pipelineRunId', 'jobId', 'jobName', 'jobRunId'] as const) {
    const value = args?.[key];
    if (value === undefined || value === null) continue;
    if (value.trim() === '') throw badInput(`${field}.${key} must not be empty`, `${field}.${key}`);
    filter[key] = value.trim();
  }
  checkAll(filter.statuses, STATUSES, `${field}.status`);
  checkAll(filter.levels, LEVEL_NAMES_LIST, `${field}.levels`);
  checkAll(filter.streams, STREAM_NAMES_LIST, `${field}.streams`);
  const fromMs = time(args?.from, `${field}.from`);
  const toMs = time(args?.to, `${field}.to`);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
    throw badInput(`${field}.from must be before ${field}.to`, `${field}.from`);
  }
  if (fromMs !== undefined) filter.fromMs = fromMs;
  if (toMs !== undefined) filter.toMs = toMs;
  return filter;
}

function checkAll<T extends string>(values: readonly string[], allowed: readonly T[], field: string): void {
  const wrong = values.find((value) => !allowed.includes(value as T));
  if (wrong !== undefined) throw badInput(`${field}: ${wrong} is not one of ${allowed.join(', ')}`, field);
}

function time(value: string | null | undefined, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim()) || Number.isNaN(ms)) {
    throw badInput(`${field} is not an ISO-8601 time (e.g. 2026-01-02T03:04:05Z)`, field);
  }
  return ms;
}

/** Checks the arguments of `searchLogs`; throws BAD_USER_INPUT naming the argument at fault. */
export function parseSearchArgs(args: SearchArgs): SearchRequest {
  const terms = parseSearchQuery(args.query ?? '');
  const filter = parseSearchFilter(args.filter);
  const order = args.order ?? 'NEWEST_FIRST';
  const context = args.context ?? DEFAULT_CONTEXT_LINES;
  if (!Number.isInteger(context) || context < 0 || context > MAX_CONTEXT_LINES) {
    throw badInput(`context must be between 0 and ${MAX_CONTEXT_LINES}`, 'context');
  }
  const first = args.first ?? DEFAULT_SEARCH_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_SEARCH_PAGE) {
    throw badInput(`first must be between 1 and ${MAX_SEARCH_PAGE}`, 'first');
  }
  const fingerprint = searchFingerprint(terms, filter, order);
  let after: SearchPosition | undefined;
  if (args.after !== undefined && args.after !== null) {
    const cursor = decodeSearchCursor(args.after);
    if (cursor === undefined) {
      throw badInput('after is not a cursor of searchLogs: pass the nextCursor of an earlier page', 'after');
    }
    if (cursor.fingerprint !== fingerprint) {
      throw badInput('after is a cursor of another search: query, filter and order must stay the same', 'after');
    }
    after = cursor.position;
  }
  return { terms, filter, order, context, first, after, fingerprint };
}

/** The terms and filter of `logOccurrences`: at least one term. */
export function parseOccurrenceArgs(args: { query: string; filter?: SearchFilterArgs | null }): {
  terms: SearchTerm[];
  filter: SearchFilter;
} {
  const terms = parseSearchQuery(args.query);
  if (terms.length === 0) throw badInput('query must name what to look for', 'query');
  return { terms, filter: parseSearchFilter(args.filter) };
}

function searchFingerprint(terms: SearchTerm[], filter: SearchFilter, order: SearchOrder): string {
  return createHash('sha256')
    .update(JSON.stringify([terms, filter, order]))
    .digest('base64url')
    .slice(0, 8);
}

/** The opaque cursor after a hit: base64url of JSON [1, fingerprint, tsMs, jobRunId, attempt, seq]. */
export function encodeSearchCursor(fingerprint: string, position: SearchPosition): string {
  const payload = [1, fingerprint, position.tsMs, position.jobRunId, position.attempt, position.seq];
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Reads back a cursor made by encodeSearchCursor; undefined for anything else. */
export function decodeSearchCursor(text: string): { fingerprint: string; position: SearchPosition } | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(payload) || payload.length !== 6 || payload[0] !== 1) return undefined;
  const [, fingerprint, tsMs, jobRunId, attempt, seq] = payload as unknown[];
  const whole = (value: unknown, max: number): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
  if (typeof fingerprint !== 'string' || typeof jobRunId !== 'string' || jobRunId.length > 200) return undefined;
  if (!whole(tsMs, Number.MAX_SAFE_INTEGER) || !whole(attempt, 0xffff_ffff) || !whole(seq, Number.MAX_SAFE_INTEGER)) {
    return undefined;
  }
  return { fingerprint, position: { tsMs, jobRunId, attempt, seq } };
}
