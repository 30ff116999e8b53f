import type { SearchFilter, SearchOrder, SearchPosition, SearchTerm } from '../domain/log-search.js';
import { LABELS_TABLE, LINES_TABLE, OUTCOMES_TABLE } from './migrations.js';

/** A WHERE clause with its bound parameters (never text spliced into SQL). */
export interface SqlPart {
  sql: string;
  params: Record<string, unknown>;
}

/** `%…%` for LIKE, with LIKE's own wildcards and escape taken literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The filters on a job run's labels, and the column of `job_run_labels` each reads. */
const LABEL_FILTERS = [
  ['pipelineId', 'pipeline_id'],
  ['pipelineRunId', 'pipeline_run_id'],
  ['jobId', 'job_id'],
  ['jobName', 'job_name'],
] as const;

/**
 * The conditions of a search: each term (words and phrases through the text index on
 * `lowerUTF8(text)`, regexes through re2 `match`) and each filter. The filters on labels
 * pick job runs from `job_run_labels` (the lines' primary key then reads only theirs); the
 * status filter reads the attempt outcomes the logs service recorded from `finished` events.
 */
export function searchWhere(terms: readonly SearchTerm[], filter: SearchFilter): SqlPart {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  terms.forEach((term, i) => {
    if (term.kind === 'text') {
      conditions.push(`lowerUTF8(text) LIKE {t${i}:String}`);
      params[`t${i}`] = likeContains(term.value.toLowerCase());
    } else {
      conditions.push(`match(text, {t${i}:String})`);
      params[`t${i}`] = term.value;
    }
  });
  if (filter.jobRunId !== undefined) {
    conditions.push('job_run_id = {jobRunId:String}');
    params['jobRunId'] = filter.jobRunId;
  }
  const labels: string[] = [];
  for (const [key, column] of LABEL_FILTERS) {
    const value = filter[key];
    if (value === undefined) continue;
    labels.push(`${column} = {${key}:String}`);
    params[key] = value;
  }
  if (labels.length > 0) {
    conditions.push(`job_run_id IN (SELECT job_run_id FROM ${LABELS_TABLE} FINAL WHERE ${labels.join(' AND ')})`);
  }
  if (filter.levels.length > 0) {
    conditions.push('level IN {levels:Array(String)}');
    params['levels'] = filter.levels;
  }
  if (filter.streams.length > 0) {
    conditions.push('stream IN {streams:Array(String)}');
    params['streams'] = filter.streams;
  }
  if (filter.statuses.length > 0) {
    conditions.push(
      `(job_run_id, attempt) IN (SELECT job_run_id, attempt FROM ${OUTCOMES_TABLE} FINAL WHERE status IN {statuses:Array(String)})`,
    );
    params['statuses'] = filter.statuses;
  }
  if (filter.fromMs !== undefined) {
    conditions.push(`ts >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC')`);
    params['fromMs'] = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    conditions.push(`ts < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`);
    params['toMs'] = filter.toMs;
  }
  return { sql: conditions.length === 0 ? '1' : conditions.join(' AND '), params };
}

/** Columns of a hit as read back (its labels are read by `labelsSql`). */
export const HIT_COLUMNS = 'job_run_id, attempt, seq, stream, level, text, toUnixTimestamp64Milli(ts) AS ts_ms';

/** The labels of job runs, each once (the latest written). */
export function labelsSql(jobRunIds: readonly string[]): SqlPart {
  return {
    sql: `SELECT job_run_id, pipeline_run_id, pipeline_id, job_id, job_name
      FROM ${LABELS_TABLE} FINAL
      WHERE job_run_id IN {jobRunIds:Array(String)}`,
    params: { jobRunIds: [...new Set(jobRunIds)] },
  };
}

/**
 * One page of hits in search order (ts, then job run, attempt, seq; newest or oldest
 * first), each line once, after the cursor's position; `limit` rows.
 */
export function searchPageSql(
  where: SqlPart,
  order: SearchOrder,
  after: SearchPosition | undefined,
  limit: number,
): SqlPart {
  const direction = order === 'NEWEST_FIRST' ? 'DESC' : 'ASC';
  const params: Record<string, unknown> = { ...where.params, limit };
  let sql = where.sql;
  if (after !== undefined) {
    const compare = order === 'NEWEST_FIRST' ? '<' : '>';
    sql += ` AND (toUnixTimestamp64Milli(ts), job_run_id, attempt, seq) ${compare} ({afterTs:Int64}, {afterJobRun:String}, {afterAttempt:UInt32}, {afterSeq:UInt64})`;
    Object.assign(params, {
      afterTs: after.tsMs,
      afterJobRun: after.jobRunId,
      afterAttempt: after.attempt,
      afterSeq: after.seq,
    });
  }
  return {
    sql: `SELECT ${HIT_COLUMNS}
      FROM ${LINES_TABLE}
      WHERE ${sql}
      ORDER BY ts ${direction}, job_run_id ${direction}, attempt ${direction}, seq ${direction}
      LIMIT 1 BY job_run_id, attempt, seq
      LIMIT {limit:UInt32}`,
    params,
  };
}

/** A window of lines of one attempt, for the context of a hit. */
export interface ContextWindow {
  jobRunId: string;
  attempt: number;
  fromSeq: number;
  toSeq: number;
}

/** The lines of several windows, each once, in (job run, attempt, seq) order. */
export function contextSql(windows: readonly ContextWindow[]): SqlPart {
  const params: Record<string, unknown> = {};
  const ranges = windows.map((window, i) => {
    Object.assign(params, {
      [`j${i}`]: window.jobRunId,
      [`a${i}`]: window.attempt,
      [`f${i}`]: window.fromSeq,
      [`u${i}`]: window.toSeq,
    });
    return `(job_run_id = {j${i}:String} AND attempt = {a${i}:UInt32} AND seq BETWEEN {f${i}:UInt64} AND {u${i}:UInt64})`;
  });
  return {
    sql: `SELECT job_run_id, attempt, seq, stream, level, text, toUnixTimestamp64Milli(ts) AS ts_ms
      FROM ${LINES_TABLE}
      WHERE ${ranges.length === 0 ? '0' : ranges.join(' OR ')}
      ORDER BY job_run_id, attempt, seq
      LIMIT 1 BY job_run_id, attempt, seq`,
    params,
  };
}

/** Matching lines per UTC day (each line once) and how many job runs they are in. */
export function occurrencesPerDaySql(where: SqlPart): SqlPart {
  return {
    sql: `SELECT toString(toDate(ts, 'UTC')) AS day, uniqExact(job_run_id, attempt, seq) AS n,
        uniqExact(job_run_id) AS job_runs
      FROM ${LINES_TABLE}
      WHERE ${where.sql}
      GROUP BY day
      ORDER BY day`,
    params: where.params,
  };
}
