import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateSecretKey } from './secret-box.js';
import { loadSecretKey } from './secret-key-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fluxi-secret-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSecretKey', () => {
  it('creates the key file on first use (mode 0600) and reads the same key after', async () => {
    const file = join(dir, 'nested', 'secret.key');
    const first = await loadSecretKey({ file });
    expect(first).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.toString('base64'));
    const again = await loadSecretKey({ file });
    expect(again).toEqual(first);
    expect(decryptSecret(encryptSecret('kept', first), again)).toBe('kept');
    expect(await readdir(join(dir, 'nested'))).toEqual(['secret.key']);
  });

  it('gives every concurrent first caller the same key', async () => {
    const file = join(dir, 'secret.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSecretKey({ file })));
    for (const key of keys) expect(key).toEqual(keys[0]);
    expect(await readdir(dir)).toEqual(['secret.key']);
  });

  it('prefers the configured key and then writes no file', async () => {
    const configured = generateSecretKey();
    const file = join(dir, 'secret.key');
    expect(await loadSecretKey({ configured: configured.toString('base64'), file })).toEqual(configured);
    expect(await readdir(dir)).toEqual([]);
    expect(await loadSecretKey({ configured: '  ', file })).toHaveLength(32);
  });

  it('refuses a bad configured key or a damaged key file, naming it', async () => {
    const file = join(dir, 'secret.key');
    await expect(loadSecretKey({ configured: 'short', file })).rejects.toThrow(
      'the configured secret key must be 32 bytes',
    );
    await writeFile(file, 'not a key\n');
    await expect(loadSecretKey({ file })).rejects.toThrow(`the key file ${file} must be 32 bytes in base64`);
  });
});
