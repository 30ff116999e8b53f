import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, processesWith, runFluxiCli, tempDir, waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';

const run = runFluxiCli;

describe('fluxi-server command line', () => {
  it('prints the version', async () => {
    const { out, exited } = run(['--version']);
    expect(await exited).toBe(0);
    expect(out.stdout.trim()).toBe('0.3.0-alpha');
  });

  it('refuses a bad config value, naming the key and its source', async () => {
    const { out, exited } = run(['--set', 'executor.concurrency=lots']);
    expect(await exited).toBe(2);
    expect(out.stderr).toMatch(/executor\.concurrency: .*\(from flag --set executor\.concurrency=lots\)/);
  });

  it('names the flag the user typed, not the key behind it', async () => {
    const port = run(['-p', 'abc']);
    expect(await port.exited).toBe(2);
    expect(port.out.stderr).toMatch(/gateway\.port: .*\(from flag --port abc\)/);
    const unknown = run(['--set', 'nope.key=1']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.out.stderr).toMatch(/nope: unknown key \(from flag --set nope\.key=1\)/);
  });

  it('refuses a bad environment variable, naming it', async () => {
    const { out, exited } = run(['--silent'], { FLUXI_GATEWAY__PORT: 'http' });
    expect(await exited).toBe(2);
    expect(out.stderr).toMatch(/gateway\.port: .*FLUXI_GATEWAY__PORT/);
  });

  it('starts everything with nothing configured, prints URL and key once, and stops cleanly on Ctrl-C', async () => {
    const dir = tempDir('fluxi-cli-');
    try {
      const { child, out, exited } = run(['--data-dir', dir.path, '--port', '0', '--set', 'log.console=false']);
      await waitFor(() => out.stdout.includes('Press Ctrl-C'), { what: 'the ready message', timeoutMs: 90_000 });
      const url = /GraphQL: (\S+)\/graphql/.exec(out.stdout)?.[1];
      const key = /\n\s+(fluxi_\S+)/.exec(out.stdout)?.[1];
      expect(url).toBeDefined();
      expect(key).toBe(readFileSync(join(dir.path, 'admin-api-key'), 'utf8').trim());
      const health = await fetch(`${url}/health`);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
      // Local servers keep their data under the data dir.
      expect(existsSync(join(dir.path, 'nats'))).toBe(true);
      expect(existsSync(join(dir.path, 'redis', 'appendonlydir'))).toBe(true);
      // One embedded database for the catalog and the scheduler.
      expect(existsSync(join(dir.path, 'db', 'shared', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(dir.path, 'db', 'catalog'))).toBe(false);
      expect(existsSync(join(dir.path, 'db', 'scheduler'))).toBe(false);
      const natsPid = Number(readFileSync(join(dir.path, 'nats', 'nats-server.pid'), 'utf8'));
      // The executor runs as a child process of its own.
      expect(processesWith(join(dir.path, 'run', 'executor.config.json'))).toHaveLength(1);
      expect(processAlive(natsPid)).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out.stdout).toContain('Fluxi stopped.');
      expect(processAlive(natsPid)).toBe(false);
      expect(processesWith(join(dir.path, 'run', 'executor.config.json'))).toEqual([]);
      expect(readFileSync(join(dir.path, 'logs', 'info.log'), 'utf8')).toContain('gateway listening');

      // Second start: same data, no new key printed.
      const second = run(['--data-dir', dir.path, '--port', '0', '--silent']);
      await waitFor(() => second.out.stdout.includes('Press Ctrl-C'), { what: 'the second start', timeoutMs: 90_000 });
      expect(second.out.stdout).not.toContain('Admin API key');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      // The scheduler alone must not open the database the catalog shares: refused, saying why.
      const alone = run(['--data-dir', dir.path, '--target', 'scheduler', '--set', 'log.console=false']);
      expect(await alone.exited).not.toBe(0);
      expect(alone.out.stderr).toMatch(/holds the catalog and the scheduler together: run both in one process/);
      expect(existsSync(join(dir.path, 'db', 'scheduler'))).toBe(false);
    } finally {
      dir.remove();
    }
  });
});
