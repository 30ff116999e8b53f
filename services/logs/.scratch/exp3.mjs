import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { drainPending } from 'chdb';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/chx-');
const client = createClient({ connection: createChdbConnection({ path: dir }) });
const q = async (query, query_params) => (await client.query({ query, query_params, format: 'JSONEachRow' })).json();
await client.command({ query: `CREATE TABLE log_lines (job_run_id String, pipeline_run_id String, attempt UInt32, seq UInt64, stream LowCardinality(String), text String, ts DateTime64(3)) ENGINE = ReplacingMergeTree ORDER BY (job_run_id, attempt, seq)` });
await client.command({ query: `SYSTEM STOP MERGES log_lines` });
for (let b = 0; b < 40; b++) for (let rep = 0; rep < 2; rep++) await client.command({ query: `INSERT INTO log_lines SELECT 'JRbig', 'R', 1 + intDiv(number, 150000), number % 150000 + 1, 'STDOUT', repeat('y', 80), now64(3) FROM numbers(${b*5000}, 5000)` });
await client.command({ query: `INSERT INTO log_lines SELECT concat('JR', toString(number % 2000)), 'R', 1, intDiv(number, 2000) + 1, 'STDOUT', repeat('x', 80), now64(3) FROM numbers(2000000)` });
console.log(await q('SELECT count() c, uniqExact(_part) parts FROM log_lines'));
const variants = {
  final: `SELECT attempt, seq, text FROM log_lines FINAL WHERE job_run_id = {id:String} ORDER BY attempt, seq LIMIT {limit:UInt32}`,
  limitby: `SELECT attempt, seq, text FROM log_lines WHERE job_run_id = {id:String} ORDER BY attempt, seq LIMIT 1 BY attempt, seq LIMIT {limit:UInt32}`,
  final_after: `SELECT attempt, seq, text FROM log_lines FINAL WHERE job_run_id = {id:String} AND attempt = 1 AND seq > 100000 ORDER BY attempt, seq LIMIT {limit:UInt32}`,
  limitby_after: `SELECT attempt, seq, text FROM log_lines WHERE job_run_id = {id:String} AND attempt = 1 AND seq > 100000 ORDER BY attempt, seq LIMIT 1 BY attempt, seq LIMIT {limit:UInt32}`,
};
for (const limit of [10000, 100000]) for (const [name, sql] of Object.entries(variants)) {
  const r = await q(sql, { id: 'JRbig', limit });
  const t = performance.now();
  for (let i = 0; i < 10; i++) await q(sql, { id: 'JRbig', limit });
  console.log(limit, name, r.length, ((performance.now() - t) / 10).toFixed(2), 'ms');
}
await client.close(); await drainPending();
