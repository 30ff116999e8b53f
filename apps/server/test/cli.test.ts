import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, processesWith, tempDir, waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../dist/bin.js');

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  // A signal name instead of a code says the process died of it (e.g. 'SIGSEGV').
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, out, exited };
}

describe('fluxi-server command line', () => {
  it('prints the version', async () => {
    const { out, exited } = run(['--version']);
    expect(await exited).toBe(0);
    expect(out.stdout.trim()).toBe('0.3.0-alpha');
  });

  it('refuses a bad config value, naming the key and its source', async () => {
    const { out, exited } = run(['--set', 'executor.concurrency=lots']);
    expect(await exited).toBe(2);
    expect(out.stderr).toMatch(/executor\.concurrency: .*flag --executor\.concurrency/);
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
    } finally {
      dir.remove();
    }
  });
});
