import { badInput, FluxiError, type Logger } from '@fluxi/common';
import type { ChunkLines } from '../domain/chunk-lines.js';
import type { LineLevelName, LogRow } from '../domain/log-row.js';
import type { LogQuery } from '../domain/log-query.js';
import type { SearchFilter, SearchOrder, SearchPosition, SearchTerm } from '../domain/log-search.js';
import { openClickHouse, type ClickHouseHandle, type ClickHouseOptions } from './clickhouse.js';
import { EXPIRES_AT, LABELS_TABLE, LINES_TABLE, migrate, OUTCOMES_TABLE } from './migrations.js';
import { LABEL_COLUMNS, WrittenLabels } from './run-labels.js';
import { linesBody, TSV_COLUMNS, tsvFromLabels, type LinesBody } from './tsv-rows.js';
import { contextSql, labelsSql, occurrencesPerDaySql, searchPageSql, searchWhere, type SqlPart } from './search-sql.js';
import {
  toFound,
  toLine,
  type AttemptOutcome,
  type FoundLine,
  type FoundRecord,
  type LabelsRecord,
  type LineRecord,
  type Occurrences,
  type RetentionReport,
  type SearchHit,
  type StoredLine,
} from './log-records.js';

export type {
  AttemptOutcome,
  FoundLine,
  OccurrenceDay,
  Occurrences,
  RetentionReport,
  SearchHit,
  StoredLine,
} from './log-records.js';

export interface LogStoreOptions extends ClickHouseOptions {
  /** `logs.retentionDays`, given to the rows of the first schema when they are moved; default 30. */
  defaultRetentionDays?: number;
}

/**
 * Job output in ClickHouse (or chDB). The schema is brought up to date before the
 * first read or write, and again after a failure, so the service can start and
 * keep running while ClickHouse is away: writes fail (and are retried by the
 * caller) until it is back.
 */
export class LogStore {
  private schemaReady: Promise<void> | undefined;
  /** Job runs whose labels this store wrote lately: their next lines are written alone. */
  private readonly writtenLabels = new WrittenLabels();

  private constructor(
    private readonly handle: ClickHouseHandle,
    private readonly logger: Logger,
    private readonly defaultRetentionDays: number,
  ) {}

  static async open(options: LogStoreOptions): Promise<LogStore> {
    return new LogStore(await openClickHouse(options), options.logger, options.defaultRetentionDays ?? 30);
  }

  get engine(): ClickHouseHandle['engine'] {
    return this.handle.engine;
  }

  /** Resolves once the schema is migrated; a failed attempt is retried on the next call. */
  ready(): Promise<void> {
    this.schemaReady ??= migrate(this.handle.client, { defaultRetentionDays: this.defaultRetentionDays }).then(
      (applied) => {
        if (applied.length > 0) this.logger.info({ applied }, 'log store migrated');
      },
      (error: unknown) => {
        this.schemaReady = undefined;
        throw unavailable('migrate the log store', error);
      },
    );
    return this.schemaReady;
  }

  /** Writes rows in one insert; resolves only once ClickHouse has them. */
  insert(rows: readonly LogRow[]): Promise<void> {
    return this.insertLines([], rows);
  }

  /** Writes the lines of checked chunks, and rows, in one insert; resolves only once ClickHouse has them. */
  async insertLines(chunks: readonly ChunkLines[], rows: readonly LogRow[] = []): Promise<void> {
    await this.insertBody(linesBody(chunks, rows));
  }

  /** Inserts a body made by `linesBody` (made ahead, while an earlier insert ran); resolves once stored. */
  async insertBody(body: LinesBody): Promise<void> {
    if (body === undefined) return;
    await this.ready();
    const missing = this.writtenLabels.missing(body.runs);
    try {
      // Labels first: no line is stored without them, so a search by its pipeline finds it.
      if (missing.length > 0) {
        await this.handle.insertTsv(LABELS_TABLE, LABEL_COLUMNS, tsvFromLabels(missing, Date.now()));
        this.writtenLabels.add(missing);
      }
      await this.handle.insertTsv(LINES_TABLE, TSV_COLUMNS, body.lines);
    } catch (error) {
      throw unavailable('write log lines', error);
    }
  }

  /**
   * Lines of one attempt of a job run in seq order, each once: `LIMIT 1 BY` drops the
   * copies a redelivery wrote before a merge folded them (a key names one line,
   * so any copy will do). Cheaper than FINAL here: no merge of the key ranges,
   * only a read in key order of one job run's range.
   */
  async lines(query: LogQuery): Promise<StoredLine[]> {
    await this.ready();
    const filters = ['job_run_id = {jobRunId:String}', 'attempt = {attempt:UInt32}'];
    if (query.afterSeq !== undefined) filters.push('seq > {afterSeq:UInt64}');
    const levels = query.levels ?? [];
    if (levels.length > 0) filters.push('level IN {levels:Array(String)}');
    const sql = `SELECT attempt, seq, stream, level, text, toUnixTimestamp64Milli(ts) AS ts_ms
      FROM ${LINES_TABLE}
      WHERE ${filters.join(' AND ')}
      ORDER BY seq
      LIMIT 1 BY seq
      LIMIT {limit:UInt32}`;
    let records: LineRecord[];
    try {
      const result = await this.handle.client.query({
        query: sql,
        format: 'JSONEachRow',
        query_params: {
          jobRunId: query.jobRunId,
          attempt: query.attempt,
          limit: query.limit,
          ...(query.afterSeq === undefined ? {} : { afterSeq: query.afterSeq }),
          ...(levels.length === 0 ? {} : { levels }),
        },
      });
      records = await result.json<LineRecord>();
    } catch (error) {
      throw unavailable('read log lines', error);
    }
    return records.map(toLine);
  }

  /**
   * How many lines an attempt of a job run has (of `levels` when given), each counted
   * once (copies not merged yet included).
   */
  async countLines(jobRunId: string, attempt: number, levels: readonly LineLevelName[] = []): Promise<number> {
    await this.ready();
    try {
      const result = await this.handle.client.query({
        query: `SELECT uniqExact(seq) AS n FROM ${LINES_TABLE}
          WHERE job_run_id = {jobRunId:String} AND attempt = {attempt:UInt32}
          ${levels.length > 0 ? 'AND level IN {levels:Array(String)}' : ''}`,
        format: 'JSONEachRow',
        query_params: { jobRunId, attempt, ...(levels.length > 0 ? { levels } : {}) },
      });
      const rows = await result.json<{ n: number | string }>();
      return Number(rows[0]?.n ?? 0);
    } catch (error) {
      throw unavailable('count log lines', error);
    }
  }

  /**
   * Checks the regexes of a search the way the store will run them (re2): BAD_USER_INPUT
   * on `field` for one that does not compile, naming it and why.
   */
  async checkRegexes(terms: readonly SearchTerm[], field = 'query'): Promise<void> {
    for (const term of terms) {
      if (term.kind !== 'regex') continue;
      try {
        await this.rows("SELECT match('', {re:String}) AS ok", { re: term.value });
      } catch (error) {
        if (error instanceof FluxiError && error.code === 'UNAVAILABLE') {
          const reason = /cannot compile re2: .*?, error: ([^.]{1,120})/.exec(causeMessage(error))?.[1];
          if (reason === undefined) throw error;
          throw badInput(`${field}: /${term.value}/ is not a valid regular expression (RE2): ${reason}`, field);
        }
        throw error;
      }
    }
  }

  /**
   * A page of lines matching every term and filter, in search order, each once, with
   * `context` lines before and after each in its attempt. Reads `limit` hits.
   */
  async search(
    terms: readonly SearchTerm[],
    filter: SearchFilter,
    page: { order: SearchOrder; after: SearchPosition | undefined; limit: number; context: number },
  ): Promise<SearchHit[]> {
    const found = await this.found(searchPageSql(searchWhere(terms, filter), page.order, page.after, page.limit));
    if (page.context === 0 || found.length === 0) return found.map((line) => ({ ...line, before: [], after: [] }));
    const windows = found.map((line) => ({
      jobRunId: line.jobRunId,
      attempt: line.attempt,
      fromSeq: Math.max(1, line.seq - page.context),
      toSeq: line.seq + page.context,
    }));
    const around = new Map<string, StoredLine[]>();
    const records = await this.rows<LineRecord & { job_run_id: string }>(contextSql(windows));
    for (const record of records) {
      const key = `${record.job_run_id}\u0000${record.attempt}`;
      const list = around.get(key) ?? [];
      list.push(toLine(record));
      around.set(key, list);
    }
    return found.map((line) => {
      const lines = around.get(`${line.jobRunId}\u0000${line.attempt}`) ?? [];
      return {
        ...line,
        before: lines.filter((other) => other.seq < line.seq && other.seq >= line.seq - page.context),
        after: lines.filter((other) => other.seq > line.seq && other.seq <= line.seq + page.context),
      };
    });
  }

  /** First and last matching line, and matching lines per UTC day. */
  async occurrences(terms: readonly SearchTerm[], filter: SearchFilter): Promise<Occurrences> {
    const where = searchWhere(terms, filter);
    const one = async (order: SearchOrder) => (await this.found(searchPageSql(where, order, undefined, 1)))[0];
    const [first, last, days] = await Promise.all([
      one('OLDEST_FIRST'),
      one('NEWEST_FIRST'),
      this.rows<{ day: string; n: number | string; job_runs: number | string }>(occurrencesPerDaySql(where)),
    ]);
    const perDay = days.map((row) => ({ day: row.day, count: Number(row.n), jobRuns: Number(row.job_runs) }));
    return { totalCount: perDay.reduce((sum, day) => sum + day.count, 0), first, last, days: perDay };
  }

  /** The lines a search page reads, with their job runs' labels. */
  private async found(page: SqlPart): Promise<FoundLine[]> {
    const records = await this.rows<FoundRecord>(page);
    if (records.length === 0) return [];
    const labels = await this.rows<LabelsRecord>(labelsSql(records.map((record) => record.job_run_id)));
    const byRun = new Map(labels.map((record) => [record.job_run_id, record]));
    return records.map((record) => toFound(record, byRun.get(record.job_run_id)));
  }

  /** Records attempt outcomes (a repeat of one replaces it). */
  async recordOutcomes(outcomes: readonly AttemptOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.ready();
    try {
      await this.handle.client.insert({
        table: OUTCOMES_TABLE,
        format: 'JSONEachRow',
        values: outcomes.map((outcome) => ({
          job_run_id: outcome.jobRunId,
          attempt: outcome.attempt,
          status: outcome.status,
          finished_at: outcome.finishedAtMs,
        })),
      });
    } catch (error) {
      throw unavailable('write attempt outcomes', error);
    }
  }

  /**
   * Deletes the lines past their retention (the table's TTL, applied now rather than at
   * ClickHouse's next TTL merge): a day partition whose lines have all expired is dropped
   * whole; one with some is rewritten without them. Then forgets the outcomes of attempts
   * and the labels of job runs that have no line left. Returns counts only.
   */
  async applyRetention(): Promise<RetentionReport> {
    await this.ready();
    const expired = `${EXPIRES_AT} <= now()`;
    const partitions = await this.rows<{ partition: string; total: number | string; expired: number | string }>({
      sql: `SELECT _partition_id AS partition, count() AS total, countIf(${expired}) AS expired
        FROM ${LINES_TABLE} GROUP BY partition HAVING expired > 0`,
      params: {},
    });
    const report: RetentionReport = { deletedLines: 0, droppedPartitions: 0, rewrittenPartitions: 0 };
    for (const partition of partitions) {
      // Partition ids are YYYYMMDD (toYYYYMMDD): digits only, checked before they go into SQL.
      if (!/^\d{8}$/.test(partition.partition)) continue;
      const whole = Number(partition.expired) === Number(partition.total);
      const statement = whole
        ? `ALTER TABLE ${LINES_TABLE} DROP PARTITION ID '${partition.partition}'`
        : `ALTER TABLE ${LINES_TABLE} DELETE IN PARTITION ID '${partition.partition}' WHERE ${expired}`;
      await this.command(statement, 'apply log retention');
      report.deletedLines += Number(partition.expired);
      if (whole) report.droppedPartitions += 1;
      else report.rewrittenPartitions += 1;
    }
    if (report.deletedLines > 0) {
      await this.command(
        `ALTER TABLE ${OUTCOMES_TABLE} DELETE WHERE finished_at < now() - INTERVAL 1 DAY
          AND (job_run_id, attempt) NOT IN (SELECT job_run_id, attempt FROM ${LINES_TABLE})`,
        'forget outcomes of deleted logs',
      );
      // A day after they were last written: labels are written just before their run's lines.
      await this.command(
        `ALTER TABLE ${LABELS_TABLE} DELETE WHERE seen_at < now() - INTERVAL 1 DAY
          AND job_run_id NOT IN (SELECT job_run_id FROM ${LINES_TABLE})`,
        'forget labels of deleted logs',
      );
      this.writtenLabels.clear();
    }
    return report;
  }

  private async command(query: string, what: string): Promise<void> {
    try {
      // Synchronous mutations: the pass has done its work when it returns.
      await this.handle.client.command({ query, clickhouse_settings: { mutations_sync: '2' } });
    } catch (error) {
      throw unavailable(what, error);
    }
  }

  private async rows<T>(part: SqlPart | string, params: Record<string, unknown> = {}): Promise<T[]> {
    await this.ready();
    const { sql, params: bound } = typeof part === 'string' ? { sql: part, params } : part;
    try {
      const result = await this.handle.client.query({ query: sql, format: 'JSONEachRow', query_params: bound });
      return await result.json<T>();
    } catch (error) {
      throw unavailable('read log lines', error);
    }
  }

  /** Resolves when ClickHouse (or chDB) answers `SELECT 1`; for the health check. */
  async ping(signal?: AbortSignal): Promise<void> {
    const result = await this.handle.client.query({
      query: 'SELECT 1',
      format: 'JSONEachRow',
      ...(signal === undefined ? {} : { abort_signal: signal }),
    });
    await result.json();
  }

  async close(): Promise<void> {
    await this.schemaReady?.catch(() => undefined);
    await this.handle.close();
  }
}

function causeMessage(error: FluxiError): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : String(cause);
}

function unavailable(what: string, cause: unknown): FluxiError {
  // The cause stays out of the message (clients see it) but travels with the error for the logs.
  return new FluxiError('UNAVAILABLE', `the log store is unavailable: could not ${what}`, { cause });
}
