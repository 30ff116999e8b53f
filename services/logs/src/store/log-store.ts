import { FluxiError, type Logger } from '@fluxi/common';
import type { LogRow, LogStreamName } from '../domain/log-row.js';
import type { LogQuery } from '../domain/log-query.js';
import { openClickHouse, type ClickHouseHandle, type ClickHouseOptions } from './clickhouse.js';
import { migrate } from './migrations.js';

/** A stored line as read back. */
export interface StoredLine {
  attempt: number;
  seq: number;
  stream: LogStreamName;
  text: string;
  tsMs: number;
}

/** 64-bit integers come back as strings from a server and as numbers from chDB. */
interface LineRecord {
  attempt: number | string;
  seq: number | string;
  stream: string;
  text: string;
  ts_ms: number | string;
}

/**
 * Job output in ClickHouse (or chDB). The schema is brought up to date before the
 * first read or write, and again after a failure, so the service can start and
 * keep running while ClickHouse is away: writes fail (and are retried by the
 * caller) until it is back.
 */
export class LogStore {
  private schemaReady: Promise<void> | undefined;

  private constructor(
    private readonly handle: ClickHouseHandle,
    private readonly logger: Logger,
  ) {}

  static async open(options: ClickHouseOptions): Promise<LogStore> {
    return new LogStore(await openClickHouse(options), options.logger);
  }

  get engine(): ClickHouseHandle['engine'] {
    return this.handle.engine;
  }

  /** Resolves once the schema is migrated; a failed attempt is retried on the next call. */
  ready(): Promise<void> {
    this.schemaReady ??= migrate(this.handle.client).then(
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
  async insert(rows: readonly LogRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.ready();
    try {
      await this.handle.client.insert({
        table: 'log_lines',
        format: 'JSONEachRow',
        values: rows.map((row) => ({
          job_run_id: row.jobRunId,
          pipeline_run_id: row.pipelineRunId,
          attempt: row.attempt,
          seq: row.seq,
          stream: row.stream,
          text: row.text,
          // An integer into DateTime64(3) is read as milliseconds since the epoch (UTC).
          ts: row.tsMs,
        })),
      });
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
    const sql = `SELECT attempt, seq, stream, text, toUnixTimestamp64Milli(ts) AS ts_ms
      FROM log_lines
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
        },
      });
      records = await result.json<LineRecord>();
    } catch (error) {
      throw unavailable('read log lines', error);
    }
    return records.map((record) => ({
      attempt: Number(record.attempt),
      seq: Number(record.seq),
      stream: record.stream as LogStreamName,
      text: record.text,
      tsMs: Number(record.ts_ms),
    }));
  }

  /** How many lines an attempt of a job run has, each counted once (copies not merged yet included). */
  async countLines(jobRunId: string, attempt: number): Promise<number> {
    await this.ready();
    try {
      const result = await this.handle.client.query({
        query: `SELECT uniqExact(seq) AS n FROM log_lines
          WHERE job_run_id = {jobRunId:String} AND attempt = {attempt:UInt32}`,
        format: 'JSONEachRow',
        query_params: { jobRunId, attempt },
      });
      const rows = await result.json<{ n: number | string }>();
      return Number(rows[0]?.n ?? 0);
    } catch (error) {
      throw unavailable('count log lines', error);
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

function unavailable(what: string, cause: unknown): FluxiError {
  // The cause stays out of the message (clients see it) but travels with the error for the logs.
  return new FluxiError('UNAVAILABLE', `the log store is unavailable: could not ${what}`, { cause });
}
