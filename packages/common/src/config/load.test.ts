import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fluxi-config-')), 'fluxi.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('gives defaults with nothing configured', () => {
    const config = loadConfig();
    expect(config.dataDir).toBe('./.fluxi');
    expect(config.gateway.port).toBe(4000);
    expect(config.executor.concurrency).toBe(4);
    expect(config.database.url).toBeUndefined();
  });

  it('layers file < environment < flags', () => {
    const file = yamlFile('executor:\n  concurrency: 2\n  pool: builds\ngateway:\n  port: 5000\n');
    const config = loadConfig({
      file,
      env: { FLUXI_EXECUTOR__CONCURRENCY: '3', DATABASE_URL: 'postgres://x/y', FLUXI_TEST_PG_URL: 'ignored' },
      flags: { 'executor.concurrency': '7' },
    });
    expect(config.executor.concurrency).toBe(7);
    expect(config.executor.pool).toBe('builds');
    expect(config.gateway.port).toBe(5000);
    expect(config.database.url).toBe('postgres://x/y');
  });

  it('names the bad key and where it came from', () => {
    const file = yamlFile('executor:\n  concurrency: lots\n');
    expect(() => loadConfig({ file })).toThrowError(ConfigError);
    expect(() => loadConfig({ file })).toThrowError(/executor\.concurrency: .*\(from file /);
  });

  it('refuses unknown keys by name', () => {
    expect(() => loadConfig({ flags: { 'executor.concurency': 3 } })).toThrowError(
      /executor\.concurency: unknown key \(from flag --executor\.concurency\)/,
    );
  });

  it('names the environment variable at fault', () => {
    expect(() => loadConfig({ env: { FLUXI_GATEWAY__PORT: '99999' } })).toThrowError(
      /gateway\.port: .*environment variable FLUXI_GATEWAY__PORT/,
    );
  });

  it('names the flag as the user typed it', () => {
    expect(() =>
      loadConfig({ flags: { 'gateway.port': 'abc' }, flagSources: { 'gateway.port': '--port abc' } }),
    ).toThrowError(/gateway\.port: .*\(from flag --port abc\)/);
  });

  it('names the flag that set a key under an unknown section', () => {
    expect(() =>
      loadConfig({ flags: { 'nope.key': '1' }, flagSources: { 'nope.key': '--set nope.key=1' } }),
    ).toThrowError(/nope: unknown key \(from flag --set nope\.key=1\)/);
  });

  it('reads executor tags, host admission and pool limits, refusing names a queue cannot tell apart', () => {
    const config = loadConfig({
      env: { FLUXI_EXECUTOR__TAGS: 'gpu,arm64' },
      flags: { 'pools.linux-docker.maxConcurrent': 8, 'executor.admission.minFreeMemoryMiB': 512 },
    });
    expect(config.executor.tags).toEqual(['gpu', 'arm64']);
    expect(config.executor.admission).toEqual({ minFreeMemoryMiB: 512, checkSec: 5 });
    expect(config.pools).toEqual({ 'linux-docker': { maxConcurrent: 8 } });
    expect(loadConfig().executor.tags).toEqual([]);
    expect(() => loadConfig({ flags: { 'executor.pool': 'a--b' } })).toThrowError(
      /executor\.pool: 1-63 lowercase letters and digits, with single "-" between them/,
    );
    expect(() => loadConfig({ flags: { 'executor.tags': 'gpu,GPU' } })).toThrowError(/executor\.tags\.1: /);
    expect(() => loadConfig({ flags: { 'pools.linux.ratePerMinute': 0 } })).toThrowError(
      /pools\.linux\.ratePerMinute: /,
    );
  });
});
