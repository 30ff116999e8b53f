import { describe, expect, it } from 'vitest';
import { jobRunRowsFromJson, jobRunsJsonSql } from './job-run-json.js';

describe('jobRunRowsFromJson', () => {
  it('reads the rows of a json_agg text, timestamps as dates and the rest as JSON gives them', () => {
    const text = JSON.stringify([
      {
        id: 'JR1',
        needs: ['build'],
        matrix: { os: 'linux' },
        retry: null,
        not_before: null,
        started_at: '2026-12-06T04:50:00.123456+00:00',
        ended_at: '2026-12-06T05:50:00.5+01:00',
      },
    ]);
    const [row] = jobRunRowsFromJson(text);
    expect(row?.needs).toEqual(['build']);
    expect(row?.matrix).toEqual({ os: 'linux' });
    expect(row?.retry).toBeNull();
    expect(row?.not_before).toBeNull();
    expect(row?.started_at).toEqual(new Date('2026-12-06T04:50:00.123Z'));
    expect(row?.ended_at).toEqual(new Date('2026-12-06T04:50:00.500Z'));
  });

  it('reads no rows from SQL NULL (json_agg of nothing)', () => {
    expect(jobRunRowsFromJson(null)).toEqual([]);
    expect(jobRunRowsFromJson(undefined)).toEqual([]);
  });

  it('orders by run and position inside the aggregate', () => {
    expect(jobRunsJsonSql('pipeline_run_id = $1')).toContain(
      'json_agg(j ORDER BY j.pipeline_run_id, j.position)::text',
    );
  });
});
