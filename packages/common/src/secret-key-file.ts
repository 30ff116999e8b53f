import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSecretKey, parseSecretKey } from './secret-box.js';

export interface SecretKeySource {
  /** The key from config/env (base64); wins over the file. */
  configured?: string | undefined;
  /** The key file, created with a new random key on first use (mode 0600), e.g. `<dataDir>/secret.key`. */
  file: string;
}

/**
 * The key for `encryptSecret` / `decryptSecret`: the configured one, else the key file's, else a new
 * one written to the key file. Two processes starting together end with the same key. Losing the file loses every stored secret: back it up with the data directory.
 */
export async function loadSecretKey(source: SecretKeySource): Promise<Buffer> {
  if (source.configured !== undefined && source.configured.trim() !== '') {
    return parseSecretKey(source.configured, 'the configured secret key');
  }
  const existing = await readKeyFile(source.file);
  if (existing !== null) return existing;
  await mkdir(dirname(source.file), { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked in place: a reader never sees half a key, and
  // of two processes creating it at once, the second links nothing (EEXIST) and reads the first's.
  const draft = `${source.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(draft, `${generateSecretKey().toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    await link(draft, source.file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(draft, { force: true });
  }
  return (await readKeyFile(source.file)) as Buffer;
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseSecretKey(text, `the key file ${file}`);
}
