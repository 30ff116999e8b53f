import { badInput } from '@fluxi/common';
import { decodeLogCursor, encodeLogCursor, type LogCursor } from '@fluxi/contracts';
import { LEVEL_NAMES_LIST, type LineLevelName } from './log-row.js';

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 10_000;
/** Attempts are UInt32 in the store. */
const MAX_ATTEMPT = 0xffff_ffff;

/** GraphQL arguments of `jobRunLogs`: absent and null both mean "not set". */
export interface LogPageArgs {
  jobRunId: string;
  attempt?: number | null;
  after?: string | null;
  first?: number | null;
  levels?: readonly LineLevelName[] | null;
}

/** Where a page starts: after this line of this attempt (the cursor format is shared with the gateway). */
export type { LogCursor };

/** Checked arguments, before the job run's latest attempt is known. */
export interface LogPageRequest {
  jobRunId: string;
  /** The attempt asked for (argument, or the cursor's); undefined: the job run's latest. */
  attempt: number | undefined;
  /** Which argument named the attempt, for an error about it. */
  attemptFrom: 'attempt' | 'after' | undefined;
  after: LogCursor | undefined;
  first: number;
  /** Only lines of these levels; every line when empty. */
  levels: LineLevelName[];
}

/** What the store reads: lines of one attempt, in seq order. */
export interface LogQuery {
  jobRunId: string;
  attempt: number;
  /** Only lines with a greater seq; every line of the attempt when unset. */
  afterSeq: number | undefined;
  limit: number;
  /** Only lines of these levels; every line when empty or unset. */
  levels?: readonly LineLevelName[];
}

/** One page of an attempt's lines, as `jobRunLogs` answers it. */
export interface LogPage<Line, Count = number> {
  lines: Line[];
  attempt: number;
  /** The attempt's lines (of the levels asked for), or how to count them when asked for. */
  totalCount: Count;
  nextCursor: string | null;
  hasMore: boolean;
}

/** Checks the arguments of `jobRunLogs`; throws BAD_USER_INPUT naming the argument at fault. */
export function parseLogPageArgs(args: LogPageArgs): LogPageRequest {
  const jobRunId = args.jobRunId.trim();
  if (jobRunId === '') throw badInput('jobRunId must not be empty', 'jobRunId');
  const attempt = args.attempt ?? undefined;
  if (attempt !== undefined && (attempt < 1 || attempt > MAX_ATTEMPT)) {
    throw badInput('attempt starts at 1', 'attempt');
  }
  let after: LogCursor | undefined;
  if (args.after !== undefined && args.after !== null) {
    after = decodeLogCursor(args.after);
    if (after === undefined) {
      throw badInput('after is not a cursor of jobRunLogs: pass the nextCursor of an earlier page', 'after');
    }
    if (attempt !== undefined && after.attempt !== attempt) {
      throw badInput(`after is a cursor of attempt ${after.attempt}, not of attempt ${attempt}`, 'after');
    }
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  const levels = [...new Set(args.levels ?? [])];
  const wrong = levels.find((level) => !LEVEL_NAMES_LIST.includes(level));
  if (wrong !== undefined) throw badInput(`levels: ${wrong} is not one of ${LEVEL_NAMES_LIST.join(', ')}`, 'levels');
  return {
    levels,
    jobRunId,
    attempt: attempt ?? after?.attempt,
    attemptFrom: attempt !== undefined ? 'attempt' : after !== undefined ? 'after' : undefined,
    after,
    first,
  };
}

/**
 * The store read for a request, now that the job run's latest attempt is known:
 * the attempt asked for (which must exist) or the latest, one line more than the
 * page holds to tell whether there are more.
 */
export function logQueryFor(request: LogPageRequest, latestAttempt: number): LogQuery {
  const attempt = request.attempt ?? latestAttempt;
  if (attempt > latestAttempt) {
    throw badInput(
      `job run ${request.jobRunId} has no attempt ${attempt}: its latest is ${latestAttempt}`,
      request.attemptFrom ?? 'attempt',
    );
  }
  return {
    jobRunId: request.jobRunId,
    attempt,
    afterSeq: request.after?.seq,
    limit: request.first + 1,
    levels: request.levels,
  };
}

/**
 * A page from the lines the store read for `query` (at most one more than `first`)
 * and the attempt's line count. `nextCursor` points after the page's last line, also
 * when there is nothing more yet (a running job may print more); on an empty page it
 * is the cursor the page was asked after, and null when there is none.
 */
export function toPage<Line extends { seq: number }, Count = number>(
  request: LogPageRequest,
  query: LogQuery,
  read: readonly Line[],
  totalCount: Count,
): LogPage<Line, Count> {
  const lines = read.slice(0, request.first);
  const last = lines.at(-1);
  const position = last === undefined ? request.after : { attempt: query.attempt, seq: last.seq };
  return {
    lines,
    attempt: query.attempt,
    totalCount,
    nextCursor: position === undefined ? null : encodeLogCursor(position),
    hasMore: read.length > request.first,
  };
}
