import { request } from 'node:http';
import type { Readable } from 'node:stream';

export interface EngineReply {
  status: number;
  body: string;
}

export interface EngineRequestOptions {
  /** Streamed as the request body (e.g. a tar for `POST /images/create?fromSrc=-`). */
  body?: Readable;
  headers?: Record<string, string>;
  /** Fails the request when the engine sends nothing for this long (default 30 s). */
  timeoutMs?: number;
}

/** One request to a Docker engine's HTTP API over its unix socket; resolves with status and body. */
export function engineRequest(
  socketPath: string,
  method: string,
  path: string,
  options: EngineRequestOptions = {},
): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { host: 'docker', ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () =>
      req.destroy(new Error(`the Docker engine at ${socketPath} did not answer ${method} ${path} in time`)),
    );
    req.on('error', reject);
    if (options.body) {
      options.body.on('error', (error) => req.destroy(error));
      options.body.pipe(req);
    } else {
      req.end();
    }
  });
}

/** True when the engine answers `GET /_ping` with OK. */
export async function pingEngine(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const reply = await engineRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return reply.status === 200 && reply.body.trim() === 'OK';
  } catch {
    return false;
  }
}

/** The socket path of a `unix:///path` DOCKER_HOST value; throws naming the value otherwise. */
export function socketPathOf(host: string, source: string): string {
  if (!host.startsWith('unix://') || host.length <= 'unix://'.length) {
    throw new Error(
      `${source}=${host} is not supported: give the engine's unix socket, e.g. unix:///var/run/docker.sock`,
    );
  }
  return host.slice('unix://'.length);
}
