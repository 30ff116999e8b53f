import { describe, expect, it } from 'vitest';
import { healthErrorText, runCheck, runHealthChecks, serviceHealth } from './health.js';
import { FLUXI_VERSION } from './version.js';

describe('runHealthChecks', () => {
  it('is ok when every check answers', async () => {
    const report = await runHealthChecks({ nats: async () => undefined, database: async () => [{ one: 1 }] });
    expect(report.status).toBe('ok');
    expect(report.checks['nats']).toMatchObject({ status: 'up' });
    expect(report.checks['database']).toMatchObject({ status: 'up' });
    expect(report.checks['nats']?.error).toBeUndefined();
    expect(typeof report.checks['nats']?.latencyMs).toBe('number');
  });

  it('is down naming the check that threw, the others still up', async () => {
    const report = await runHealthChecks({
      nats: async () => {
        throw new Error('connection refused');
      },
      database: async () => undefined,
    });
    expect(report).toMatchObject({
      status: 'down',
      checks: { nats: { status: 'down', error: 'connection refused' }, database: { status: 'up' } },
    });
  });

  it('counts a check that never answers as down once its timeout passes, and aborts its signal', async () => {
    let aborted: AbortSignal | undefined;
    const report = await runHealthChecks(
      {
        redis: (signal) => {
          aborted = signal;
          return new Promise(() => undefined);
        },
      },
      { timeoutMs: 50 },
    );
    expect(report.checks['redis']).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
    expect(aborted?.aborted).toBe(true);
  });

  it('runs the checks at the same time', async () => {
    // Each check answers only once the other has started: run one after the other, both would time out.
    let startA!: () => void;
    let startB!: () => void;
    const aStarted = new Promise<void>((resolve) => (startA = resolve));
    const bStarted = new Promise<void>((resolve) => (startB = resolve));
    const report = await runHealthChecks(
      {
        a: async () => {
          startA();
          await bStarted;
        },
        b: async () => {
          startB();
          await aStarted;
        },
      },
      { timeoutMs: 5000 },
    );
    expect(report.status).toBe('ok');
  });

  it('reports a check that throws synchronously as down instead of rejecting', async () => {
    const check = (() => {
      throw new Error('boom');
    }) as () => Promise<unknown>;
    await expect(runCheck(check, 1000)).resolves.toMatchObject({ status: 'down', error: 'boom' });
  });
});

describe('serviceHealth', () => {
  it('names the service and the version', async () => {
    await expect(serviceHealth('catalog', { nats: async () => undefined })).resolves.toMatchObject({
      status: 'ok',
      service: 'catalog',
      version: FLUXI_VERSION,
    });
  });
});

describe('healthErrorText', () => {
  it('keeps the first line only, so no stack trace leaves the server', () => {
    const error = new Error(
      'database is starting up\n    at Client._handle (/srv/fluxi/node_modules/pg/lib/client.js:1:2)',
    );
    expect(healthErrorText(error)).toBe('database is starting up');
  });

  it('replaces file paths', () => {
    const text = healthErrorText(new Error("ENOENT: no such file or directory, open '/var/lib/fluxi/chdb/x.bin'"));
    expect(text).toBe("ENOENT: no such file or directory, open '<path>'");
    expect(text).not.toContain('/var/lib');
  });

  it('keeps addresses and URLs readable', () => {
    expect(healthErrorText(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:6379',
    );
  });

  it('cuts long messages and names an empty one', () => {
    expect(healthErrorText(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(160);
    expect(healthErrorText(new Error(''))).toBe('check failed');
    expect(healthErrorText({ weird: true })).toBe('check failed');
  });
});
