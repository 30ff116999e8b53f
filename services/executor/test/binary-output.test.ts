import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobOutcome, LogStream } from '@fluxi/contracts';
import { MAX_LINE_BYTES } from '../src/domain/line-splitter.js';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  testConfig,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

let servers: TestServers;
let running: TestExecutor;

beforeAll(async () => {
  servers = await startTestServers('fluxi-executor-binary-');
  running = await startTestExecutor(servers, testConfig(dataDirOf(servers)));
});

afterAll(async () => {
  await running?.stop();
  await servers?.stop();
});

describe('output that is not text', () => {
  it('publishes 1 MB of random bytes as lines of text, and the job succeeds', async () => {
    const job = await enqueue(running.queue, executeJob({ command: 'head -c 1000000 /dev/urandom; echo; echo end' }));
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(run.lines.map((line) => Number(line.seq))).toEqual(
      Array.from({ length: Number(run.finished.lastSeq) }, (_, i) => i + 1),
    );
    // About one \n per 256 random bytes.
    expect(run.lines.length).toBeGreaterThan(1000);
    expect(texts(run.lines, LogStream.STDOUT).at(-1)).toBe('end');
    for (const line of run.lines) {
      expect(line.text).not.toContain('\0');
      expect(Buffer.byteLength(line.text)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
    expect(run.lines.some((line) => line.text.includes('\uFFFD'))).toBe(true);
  });

  it('replaces NUL bytes and invalid UTF-8, and splits a huge line without a newline', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({ command: "printf 'a\\000b\\n\\377\\376\\nok \\342\\202\\254\\n'; head -c 300000 /dev/zero" }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    // A NUL becomes U+FFFD: 3 bytes of UTF-8, so 21 845 of them fit in a line; 300 000 NULs
    // make 13 full lines and one of the rest.
    const perLine = Math.floor(MAX_LINE_BYTES / 3);
    const full = Math.floor(300000 / perLine);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([
      'a\uFFFDb',
      '\uFFFD\uFFFD',
      'ok €',
      ...Array.from({ length: full }, () => '\uFFFD'.repeat(perLine)),
      '\uFFFD'.repeat(300000 - full * perLine),
    ]);
  });
});
