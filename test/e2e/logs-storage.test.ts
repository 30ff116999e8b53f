import { existsSync } from 'node:fs';
import { waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';
import { firstError } from './client.js';
import { CAP_BYTES, MAX_LINE, startLogsFluxi } from './logs-fixture.js';

/**
 * Issue 9, storage, through the gateway: levels detected by the executor, long lines, binary
 * output and the per-attempt cap. Search: logs-search.test.ts; retention: logs-retention.test.ts.
 */
const fluxi = startLogsFluxi();
const { levelLines, runJob, stored } = fluxi;

describe('log lines and search through the gateway', () => {
  it('detects each line level at the source; jobRunLogs filters by level, colours kept', async () => {
    const { jobRunId } = await runJob(
      'levels',
      `echo 'ERROR: db down'; echo 'warn: disk 91%'; echo 'just text'; printf '\\033[31mFATAL\\033[0m crash\\n'; echo '{"level":"debug","msg":"x"}'; echo 'level=info msg=ok'`,
    );
    await stored(jobRunId, 6);
    const all = await levelLines(jobRunId);
    expect(all.map((line) => [line.text, line.level, line.stream])).toEqual([
      ['ERROR: db down', 'ERROR', 'STDOUT'],
      ['warn: disk 91%', 'WARN', 'STDOUT'],
      ['just text', 'NONE', 'STDOUT'],
      ['\x1b[31mFATAL\x1b[0m crash', 'ERROR', 'STDOUT'],
      ['{"level":"debug","msg":"x"}', 'DEBUG', 'STDOUT'],
      ['level=info msg=ok', 'INFO', 'STDOUT'],
    ]);
    expect((await levelLines(jobRunId, ['ERROR'])).map((line) => line.seq)).toEqual([1, 4]);
    expect((await levelLines(jobRunId, ['WARN', 'NONE'])).map((line) => line.seq)).toEqual([2, 3]);
    const bad = await firstError(levelLines(jobRunId, ['LOUD']));
    expect(bad.message).toContain('LOUD');
  });

  it('splits a long line at executor.maxLineBytes and stores binary output without NUL bytes', async () => {
    const { jobRunId } = await runJob(
      'long-and-binary',
      `head -c 2500 /dev/zero | tr '\\0' x; echo; printf 'a\\000b\\377c\\n'; head -c 3000 /dev/urandom; echo; echo end`,
    );
    const lines = await waitFor(
      async () => {
        const read = await levelLines(jobRunId);
        return read.some((line) => line.text === 'end') ? read : undefined;
      },
      { what: 'the last line', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(lines.slice(0, 4).map((line) => line.text)).toEqual([
      'x'.repeat(MAX_LINE),
      'x'.repeat(MAX_LINE),
      'x'.repeat(2500 - 2 * MAX_LINE),
      'a\uFFFDb\uFFFDc',
    ]);
    for (const line of lines) {
      expect(line.text).not.toContain('\0');
      expect(Buffer.byteLength(line.text)).toBeLessThanOrEqual(MAX_LINE);
    }
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_, i) => i + 1));
  });

  it('stops storing a job over the per-attempt cap after one marker; the job runs on to its end', async () => {
    // About 1 MB of output against a 64 KiB cap, then a line that must not be stored.
    const { jobRunId } = await runJob(
      'chatty',
      `i=0; while [ $i -lt 10000 ]; do echo "line $i padded to about a hundred bytes ................................................"; i=$((i+1)); done; echo 'finished-printing'; touch ${fluxi.dir}/chatty-done`,
    );
    const lines = await waitFor(
      async () => {
        const read = await levelLines(jobRunId);
        return read.some((line) => line.text.startsWith('log truncated')) ? read : undefined;
      },
      { what: 'the truncation marker', timeoutMs: 30_000, intervalMs: 200 },
    );
    const markers = lines.filter((line) => line.text.startsWith('log truncated'));
    expect(markers).toEqual([
      {
        seq: expect.any(Number),
        attempt: 1,
        stream: 'SYSTEM',
        level: 'WARN',
        text: 'log truncated: this job printed more than 64 KiB of log output (executor.maxLogBytesPerAttempt); the rest was not stored, and the job goes on',
      },
    ]);
    const output = lines.filter((line) => line.stream !== 'SYSTEM');
    const outputBytes = output.reduce((sum, line) => sum + Buffer.byteLength(line.text), 0);
    expect(outputBytes).toBeLessThanOrEqual(CAP_BYTES);
    expect(output.length).toBeGreaterThan(500);
    expect(output.every((line, i) => line.text.startsWith(`line ${i} `))).toBe(true);
    expect(lines.some((line) => line.text === 'finished-printing')).toBe(false);
    // The job itself went on to the end (runJob saw SUCCESS) and wrote its marker file.
    expect(existsSync(`${fluxi.dir}/chatty-done`)).toBe(true);
    expect(markers[0]!.seq).toBe(output.length + 1);
  });
});
