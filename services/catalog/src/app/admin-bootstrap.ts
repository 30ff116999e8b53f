import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@fluxi/common';
import { generateApiKey } from '../domain/api-key.js';
import type { AccessStore } from '../store/access-store.js';

export const ADMIN_KEY_FILE = 'admin-api-key';

/**
 * On the first start (no API key at all), creates the user `admin` and one key,
 * writes the plain key to `${dataDir}/admin-api-key` (mode 0600) before the
 * transaction commits, and returns it. Returns undefined on every later start.
 */
export async function bootstrapAdminKey(
  store: AccessStore,
  dataDir: string,
  logger: Logger,
): Promise<string | undefined> {
  const key = generateApiKey();
  const file = join(dataDir, ADMIN_KEY_FILE);
  const created = await store.bootstrapAdmin(key, async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${key.plain}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  });
  if (!created) return undefined;
  logger.info({ file, keyId: key.id }, 'created the admin user and its first API key');
  return key.plain;
}
