/** Where the Docker engine listens, as dockerode's modem takes it. */
export type EngineAddress = { socketPath: string } | { host: string; port: number; protocol: 'http' | 'https' };

/**
 * Reads `executor.docker.host` (DOCKER_HOST's syntax): unix:///path, a bare
 * absolute path, tcp://host:port (plain HTTP; 2376 is TLS by convention),
 * http://host:port or https://host:port. Returns an error naming the value
 * otherwise.
 */
export function parseEngineAddress(value: string): EngineAddress | { error: string } {
  const text = value.trim();
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    return socketPath.startsWith('/') ? { socketPath } : { error: invalid(value, 'the socket path must be absolute') };
  }
  if (text.startsWith('/')) return { socketPath: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: invalid(value, 'expected unix:///path, tcp://host:port or http(s)://host:port') };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    return { error: invalid(value, `the scheme ${scheme} is not supported`) };
  }
  if (url.hostname === '') return { error: invalid(value, 'no host') };
  const defaultPort = scheme === 'https' ? 2376 : 2375;
  const port = url.port === '' ? defaultPort : Number(url.port);
  const protocol = scheme === 'https' || (scheme === 'tcp' && port === 2376) ? 'https' : 'http';
  // URL keeps the brackets of an IPv6 address; the HTTP client wants it bare.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, protocol };
}

function invalid(value: string, why: string): string {
  return `executor.docker.host ${JSON.stringify(value)} is not a Docker engine address: ${why}`;
}
