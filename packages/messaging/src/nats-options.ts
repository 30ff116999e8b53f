import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import type { NatsSettings } from '@fluxi/common';

/** A NATS URL list split into servers, with the credentials written into it taken out. */
export interface NatsServers {
  servers: string[];
  /** Some server was given as `tls://`: only TLS connections are accepted. */
  tlsRequired: boolean;
  user?: string;
  password?: string;
  token?: string;
}

/**
 * Splits `nats://user:pass@a:4222,nats://b:4222` into servers without user info (nats.js does not
 * read it from a URL) and the credentials (the first given; `token@host` is a token, as the NATS
 * tools read it). `tls://host` becomes `nats://host` with TLS required.
 */
export function parseNatsServers(url: string): NatsServers {
  const parsed: NatsServers = { servers: [], tlsRequired: false };
  for (const entry of url
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+:\/\/)?(?:([^@/]*)@)?(.*)$/i.exec(entry);
    const [, scheme = '', userInfo, rest = ''] = match ?? [];
    if (scheme.toLowerCase() === 'tls://') parsed.tlsRequired = true;
    const bare = scheme.toLowerCase() === 'tls://' ? 'nats://' : scheme;
    parsed.servers.push(`${bare}${rest}`);
    if (userInfo === undefined || userInfo === '' || hasCredentials(parsed)) continue;
    const colon = userInfo.indexOf(':');
    if (colon < 0) parsed.token = decodeURIComponent(userInfo);
    else {
      parsed.user = decodeURIComponent(userInfo.slice(0, colon));
      parsed.password = decodeURIComponent(userInfo.slice(colon + 1));
    }
  }
  return parsed;
}

function hasCredentials(servers: NatsServers): boolean {
  return servers.user !== undefined || servers.token !== undefined;
}

/**
 * The nats.js connection options for `url` and the `nats` settings: TLS files (nats.js reads
 * them), one way to authenticate (the settings' own over the URL's), `credentials` the bytes of
 * `credentialsFile` when it is set.
 */
export function natsConnectionOptions(
  url: string,
  settings: Omit<NatsSettings, 'url'> = {},
  credentials?: Uint8Array,
): ConnectionOptions {
  const fromUrl = parseNatsServers(url);
  const options: ConnectionOptions = { servers: fromUrl.servers };
  const { tls } = settings;
  if (tls !== undefined) {
    options.tls = {
      ...(tls.caFile === undefined ? {} : { caFile: tls.caFile }),
      ...(tls.certFile === undefined ? {} : { certFile: tls.certFile }),
      ...(tls.keyFile === undefined ? {} : { keyFile: tls.keyFile }),
    };
  } else if (fromUrl.tlsRequired) {
    options.tls = {};
  }
  if (credentials !== undefined) options.authenticator = credsAuthenticator(credentials);
  else if (settings.user !== undefined) Object.assign(options, { user: settings.user, pass: settings.password });
  else if (settings.token !== undefined) options.token = settings.token;
  else if (fromUrl.user !== undefined) Object.assign(options, { user: fromUrl.user, pass: fromUrl.password });
  else if (fromUrl.token !== undefined) options.token = fromUrl.token;
  return options;
}
