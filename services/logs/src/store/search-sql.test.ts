import { describe, expect, it } from 'vitest';
import { parseSearchFilter, parseSearchQuery } from '../domain/log-search.js';
import { contextSql, labelsSql, likeContains, searchPageSql, searchWhere } from './search-sql.js';

describe('searchWhere', () => {
  it('binds every term and filter as a parameter, words lower-cased for the text index', () => {
    const where = searchWhere(
      parseSearchQuery('Timeout "Connection Refused" /exit \\d+/'),
      parseSearchFilter({ pipelineId: 'P1', jobName: "x' OR 1=1 --", status: ['FAILED'], levels: ['ERROR'] }),
    );
    expect(where.sql).toBe(
      [
        'lowerUTF8(text) LIKE {t0:String}',
        'lowerUTF8(text) LIKE {t1:String}',
        'match(text, {t2:String})',
        'job_run_id IN (SELECT job_run_id FROM job_run_labels FINAL WHERE pipeline_id = {pipelineId:String} AND job_name = {jobName:String})',
        'level IN {levels:Array(String)}',
        '(job_run_id, attempt) IN (SELECT job_run_id, attempt FROM attempt_outcomes FINAL WHERE status IN {statuses:Array(String)})',
      ].join(' AND '),
    );
    expect(where.params).toEqual({
      t0: '%timeout%',
      t1: '%connection refused%',
      t2: 'exit \\d+',
      pipelineId: 'P1',
      jobName: "x' OR 1=1 --",
      levels: ['ERROR'],
      statuses: ['FAILED'],
    });
  });

  it('reads the job run itself off the lines, and picks job runs by their labels', () => {
    const where = searchWhere([], parseSearchFilter({ jobRunId: 'JR1', pipelineRunId: 'R1', jobId: 'J1' }));
    expect(where.sql).toBe(
      [
        'job_run_id = {jobRunId:String}',
        'job_run_id IN (SELECT job_run_id FROM job_run_labels FINAL WHERE pipeline_run_id = {pipelineRunId:String} AND job_id = {jobId:String})',
      ].join(' AND '),
    );
    expect(where.params).toEqual({ jobRunId: 'JR1', pipelineRunId: 'R1', jobId: 'J1' });
  });

  it('matches everything without terms or filters', () => {
    expect(searchWhere([], parseSearchFilter({}))).toEqual({ sql: '1', params: {} });
  });

  it("takes LIKE's wildcards literally", () => {
    expect(likeContains('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});

describe('searchPageSql', () => {
  it('orders newest first with a keyset after the cursor, each line once', () => {
    const page = searchPageSql(
      { sql: '1', params: {} },
      'NEWEST_FIRST',
      { tsMs: 5, jobRunId: 'J', attempt: 1, seq: 9 },
      11,
    );
    expect(page.sql).toContain(
      '(toUnixTimestamp64Milli(ts), job_run_id, attempt, seq) < ({afterTs:Int64}, {afterJobRun:String}, {afterAttempt:UInt32}, {afterSeq:UInt64})',
    );
    expect(page.sql).toContain('ORDER BY ts DESC, job_run_id DESC, attempt DESC, seq DESC');
    expect(page.sql).toContain('LIMIT 1 BY job_run_id, attempt, seq');
    expect(page.params).toEqual({ limit: 11, afterTs: 5, afterJobRun: 'J', afterAttempt: 1, afterSeq: 9 });
    const oldest = searchPageSql(
      { sql: '1', params: {} },
      'OLDEST_FIRST',
      { tsMs: 5, jobRunId: 'J', attempt: 1, seq: 9 },
      2,
    );
    expect(oldest.sql).toContain(') > ({afterTs:Int64}');
    expect(oldest.sql).toContain('ORDER BY ts ASC');
  });
});

describe('contextSql', () => {
  it('reads one range per window', () => {
    const sql = contextSql([
      { jobRunId: 'A', attempt: 1, fromSeq: 1, toSeq: 5 },
      { jobRunId: 'B', attempt: 2, fromSeq: 8, toSeq: 12 },
    ]);
    expect(sql.sql).toContain(
      '(job_run_id = {j0:String} AND attempt = {a0:UInt32} AND seq BETWEEN {f0:UInt64} AND {u0:UInt64}) OR (job_run_id = {j1:String}',
    );
    expect(sql.params).toEqual({ j0: 'A', a0: 1, f0: 1, u0: 5, j1: 'B', a1: 2, f1: 8, u1: 12 });
  });
});

describe('labelsSql', () => {
  it('reads the labels of each job run once, the ids bound', () => {
    const sql = labelsSql(['A', 'B', 'A']);
    expect(sql.sql).toContain('FROM job_run_labels FINAL');
    expect(sql.sql).toContain('WHERE job_run_id IN {jobRunIds:Array(String)}');
    expect(sql.params).toEqual({ jobRunIds: ['A', 'B'] });
  });
});
