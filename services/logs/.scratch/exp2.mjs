import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { drainPending } from 'chdb';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/chx-');
const client = createClient({ connection: createChdbConnection({ path: dir }) });
const q = async (query, query_params) => (await client.query({ query, query_params, format: 'JSONEachRow' })).json();
console.log(await q('SELECT version() v, timezone() tz'));
await client.command({ query: `CREATE TABLE log_lines (job_run_id String, pipeline_run_id String, attempt UInt32, seq UInt64, stream LowCardinality(String), text String, ts DateTime64(3)) ENGINE = ReplacingMergeTree ORDER BY (job_run_id, attempt, seq)` });
await client.command({ query: `SYSTEM STOP MERGES log_lines` });
// 2000 jobs x 1000 lines, inserted in 200-line chunks, each twice
for (let rep = 0; rep < 2; rep++) {
  await client.command({ query: `INSERT INTO log_lines SELECT concat('JR', toString(number % 2000)), 'R', 1, intDiv(number, 2000) + 1, 'STDOUT', repeat('x', 80), now64(3) FROM numbers(2000000)` });
}
for (let b = 0; b < 20; b++) await client.command({ query: `INSERT INTO log_lines SELECT 'JR7', 'R', 1, number + 1, 'STDOUT', repeat('y', 80), now64(3) FROM numbers(${b*50}, 50)` });
console.log(await q('SELECT count() c, uniqExact(_part) parts FROM log_lines'));
const variants = {
  final: `SELECT attempt, seq, text FROM log_lines FINAL WHERE job_run_id = {id:String} AND attempt = 1 AND seq > {after:UInt64} ORDER BY attempt, seq LIMIT {limit:UInt32}`,
  limitby: `SELECT attempt, seq, text FROM log_lines WHERE job_run_id = {id:String} AND attempt = 1 AND seq > {after:UInt64} ORDER BY attempt, seq LIMIT 1 BY attempt, seq LIMIT {limit:UInt32}`,
  finalAll: `SELECT attempt, seq, text FROM log_lines FINAL WHERE job_run_id = {id:String} ORDER BY attempt, seq LIMIT {limit:UInt32}`,
  limitbyAll: `SELECT attempt, seq, text FROM log_lines WHERE job_run_id = {id:String} ORDER BY attempt, seq LIMIT 1 BY attempt, seq LIMIT {limit:UInt32}`,
};
for (const [name, sql] of Object.entries(variants)) {
  const r = await q(sql, { id: 'JR7', after: 0, limit: 10000 });
  const t = performance.now();
  for (let i = 0; i < 30; i++) await q(sql, { id: 'JR' + (i * 13 % 2000), after: 0, limit: 10000 });
  console.log(name, r.length, r[0]?.text.slice(0,3), ((performance.now() - t) / 30).toFixed(2), 'ms');
}
await client.close(); await drainPending();
