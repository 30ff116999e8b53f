import type Docker from 'dockerode';
import type { EngineAddress } from '../../domain/docker-host.js';
import { StartFailure } from '../driver.js';

/**
 * A client of the engine at `address`. Every connection setting is given, so
 * nothing comes from the executor's environment (dockerode reads DOCKER_HOST,
 * DOCKER_CERT_PATH and DOCKER_CLIENT_TIMEOUT otherwise); no request timeout, as
 * `wait` and `attach` last as long as the job. dockerode (~25 MB once loaded) is
 * loaded here, at first use: an executor without an engine never loads it.
 */
export async function engineClient(address: EngineAddress): Promise<Docker> {
  const { default: DockerClient } = await import('dockerode');
  return 'socketPath' in address
    ? new DockerClient({
        socketPath: address.socketPath,
        host: undefined,
        port: undefined,
        protocol: 'http',
        timeout: undefined,
      })
    : new DockerClient({ host: address.host, port: address.port, protocol: address.protocol, timeout: undefined });
}

/** An error of the engine or of the way to it, as dockerode gives it. */
interface EngineError {
  statusCode?: number;
  code?: string;
  json?: unknown;
  message?: string;
}

/** The engine's own message, on one line and cut short (it goes into a job run's reason). */
export function engineMessage(error: unknown): string {
  const fault = error as EngineError;
  const json = fault.json;
  let text: string;
  if (typeof json === 'object' && json !== null && 'message' in json) text = String(json.message);
  else if (typeof json === 'string' && json.trim() !== '') text = json;
  else text = fault.message ?? String(error);
  // dockerode's own prefix says nothing the engine's words do not: "(HTTP code 500) server error - ".
  const line = text
    .replace(/^\(HTTP code \d+\) [^-]*- /, '')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The HTTP status the engine answered, if it answered at all. */
export function engineStatus(error: unknown): number | undefined {
  const status = (error as EngineError).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Whether the engine could not be spoken to at all (no answer, as opposed to an error it answered). */
export function unreachable(error: unknown): boolean {
  return engineStatus(error) === undefined && (error as Error).name !== 'AbortError';
}

/** Why nothing answers at a socket path where there is no socket. */
export const NO_SOCKET = 'no socket at that path';

/** Why nothing answered, in words (the client's message repeats the address, said once already). */
const UNREACHABLE_CODES: Record<string, string> = {
  ENOENT: NO_SOCKET,
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied on the socket',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host name not found',
};

/** "docker engine not reachable at <host>: <why>". */
export function unreachableReason(host: string, error: unknown): string {
  const code = (error as EngineError).code;
  const why = code !== undefined && code in UNREACHABLE_CODES ? UNREACHABLE_CODES[code] : engineMessage(error);
  return `docker engine not reachable at ${host}: ${why}`;
}

/**
 * A StartFailure for an engine error while doing `what`: "docker engine not
 * reachable at <host>" when nothing answered; a job error when the engine turned
 * the request down as the job wrote it (400: a bad limit, an entrypoint the image
 * lacks); infrastructure otherwise.
 */
export function startFailure(error: unknown, what: string, host: string): StartFailure {
  if (unreachable(error)) return new StartFailure(unreachableReason(host, error));
  const reason = `${what}: ${engineMessage(error)}`;
  return new StartFailure(reason, { kind: engineStatus(error) === 400 ? 'jobError' : 'infrastructure' });
}
