import type { FluxiConfig } from '@fluxi/common';

interface ListenError {
  code?: string;
  port?: number;
  address?: string;
  message?: string;
}

/** The config keys of the ports Fluxi listens on, with the flag that sets each. */
function portKeys(config: FluxiConfig): { key: string; port: number; flag: string }[] {
  return [
    { key: 'gateway.port', port: config.gateway.port, flag: '--port <n>' },
    { key: 'catalog.port', port: config.catalog.port, flag: '--set catalog.port=<n>' },
    { key: 'scheduler.port', port: config.scheduler.port, flag: '--set scheduler.port=<n>' },
    { key: 'logs.port', port: config.logs.port, flag: '--set logs.port=<n>' },
  ];
}

/** One line saying why the start failed and, where Fluxi knows, what to do about it. */
export function describeStartError(error: unknown, config: FluxiConfig): string {
  const listen = error as ListenError;
  if (listen.code === 'EADDRINUSE' || listen.code === 'EACCES' || listen.code === 'EADDRNOTAVAIL') {
    const where = `${listen.address ?? 'its address'}:${listen.port ?? '?'}`;
    const owner = portKeys(config).find((entry) => entry.port === listen.port && entry.port !== 0);
    const setting = owner === undefined ? '' : ` (${owner.key})`;
    const how =
      owner === undefined ? '' : ` Choose another port with ${owner.flag}, or set ${owner.key} in the config file.`;
    if (listen.code === 'EADDRINUSE') {
      return `port ${listen.port ?? '?'} on ${listen.address ?? 'this machine'}${setting} is already in use: another program (or another Fluxi) listens there.${how}`;
    }
    if (listen.code === 'EACCES') return `not allowed to listen on ${where}${setting}.${how}`;
    return `cannot listen on ${where}${setting}: no such address on this machine.`;
  }
  return error instanceof Error ? error.message : String(error);
}
