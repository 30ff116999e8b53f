/**
 * `node reaper-bin.js <engine host> <instance>`: kills the running containers an
 * executor life left when it died (see guardContainers). Run by that life's exit
 * guard, with nobody to read its output: it only exits, non-zero when it could not.
 */
import { parseEngineAddress } from '../../domain/docker-host.js';
import { REAP_TIMEOUT_MS, reapContainers } from './container-guard.js';
import { engineClient } from './engine.js';

const [host = '', instance = ''] = process.argv.slice(2);
const address = parseEngineAddress(host);
if ('error' in address || instance === '') process.exit(2);
try {
  await reapContainers(await engineClient(address), instance, AbortSignal.timeout(REAP_TIMEOUT_MS));
  process.exit(0);
} catch {
  process.exit(1);
}
