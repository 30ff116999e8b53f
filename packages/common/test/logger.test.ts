import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger, setLogLevel } from '../src/logger.js';

const dirs: string[] = [];
function logDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fluxi-logger-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { msg: string; level: number });

describe('the server logger', () => {
  it('writes each line to the one file of its level', async () => {
    const dir = logDir();
    const logger = createLogger({ level: 'debug', console: false, dir });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    await closeLogger(logger);
    expect(lines(join(dir, 'debug.log')).map((l) => l.msg)).toEqual(['d']);
    expect(lines(join(dir, 'info.log')).map((l) => l.msg)).toEqual(['i']);
    expect(lines(join(dir, 'warn.log')).map((l) => l.msg)).toEqual(['w']);
    expect(lines(join(dir, 'error.log')).map((l) => l.msg)).toEqual(['e']);
  });

  it('rotates a file by size and keeps a bounded number', async () => {
    const dir = logDir();
    const logger = createLogger({ level: 'info', console: false, dir, maxFileBytes: 64 * 1024, maxFiles: 2 });
    const text = 'z'.repeat(1000);
    for (let i = 0; i < 1000; i++) logger.info({ i, text }, 'filler');
    await closeLogger(logger);
    const infos = readdirSync(dir).filter((name) => name.startsWith('info.log'));
    expect(infos.sort()).toEqual(['info.log', 'info.log.1', 'info.log.2']);
    const total = infos.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    // About 1 MB was logged; at most three files of about 64 KiB are kept.
    expect(total).toBeLessThan(4 * 64 * 1024);
  });

  it('never writes a huge field or an error payload whole', async () => {
    const dir = logDir();
    const logger = createLogger({ level: 'info', console: false, dir });
    const error = Object.assign(new Error('insert failed'), { parameters: ['TOPSECRET'] });
    logger.child({ service: 'x' }).error({ err: error, output: 'o'.repeat(500_000) }, 'boom');
    await closeLogger(logger);
    const text = readFileSync(join(dir, 'error.log'), 'utf8');
    expect(text.length).toBeLessThan(20_000);
    expect(text).not.toContain('TOPSECRET');
    expect(text).toContain('insert failed');
  });

  it('changes the level of the root and of children made before the change', async () => {
    const dir = logDir();
    const logger = createLogger({ level: 'info', console: false, dir });
    const child = logger.child({ service: 'a' });
    const grandchild = child.child({ component: 'b' });
    grandchild.debug('before');
    setLogLevel(logger, 'debug');
    grandchild.debug('after');
    logger.child({ service: 'new' }).debug('new child');
    setLogLevel(logger, 'error');
    child.warn('muted');
    await closeLogger(logger);
    expect(lines(join(dir, 'debug.log')).map((l) => l.msg)).toEqual(['after', 'new child']);
    expect(readFileSync(join(dir, 'warn.log'), 'utf8')).toBe('');
  });
});
