import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { drainPending } from 'chdb';
import { mkdtempSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const dir = mkdtempSync('/tmp/chx-');
let client = createClient({ connection: createChdbConnection({ path: dir }) });
await client.command({ query: `CREATE TABLE t (a UInt32) ENGINE = MergeTree ORDER BY a` });
await client.insert({ table: 't', values: [{a:1},{a:2}], format: 'JSONEachRow' });
console.log(readdirSync(dir));
try { console.log('child while open:', execFileSync('node', ['exp1.mjs', dir], {encoding: 'utf8', stdio: ['ignore','pipe','pipe']}).slice(0,200)); } catch (e) { console.log('child failed while open:', String(e.stderr).slice(0, 300)); }
await client.close(); await drainPending();
try { console.log('child after close:', execFileSync('node', ['-e', `
const { createClient } = require('@clickhouse/client'); const { createChdbConnection } = require('chdb/connection');
(async () => { const c = createClient({ connection: createChdbConnection({ path: '${dir}' }) }); console.log(JSON.stringify(await (await c.query({ query: 'SELECT count() n FROM t', format: 'JSONEachRow' })).json())); await c.close(); })();
`], {encoding: 'utf8'})); } catch (e) { console.log('child failed after close:', String(e.stderr).slice(0, 300)); }
client = createClient({ connection: createChdbConnection({ path: dir }) });
console.log(await (await client.query({ query: 'SELECT count() n FROM t', format: 'JSONEachRow' })).json());
await client.close(); await drainPending();
// different path after close
const dir2 = mkdtempSync('/tmp/chx-');
try { const c2 = createClient({ connection: createChdbConnection({ path: dir2 }) }); console.log('other path ok', await (await c2.query({query:'SELECT 1 x', format:'JSONEachRow'})).json()); await c2.close(); } catch (e) { console.log('other path failed', e.message); }
