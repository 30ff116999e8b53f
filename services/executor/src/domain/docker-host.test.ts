import { describe, expect, it } from 'vitest';
import { parseEngineAddress } from './docker-host.js';

describe('parseEngineAddress', () => {
  it('reads unix sockets, with or without the scheme', () => {
    expect(parseEngineAddress('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(parseEngineAddress('/tmp/d.sock')).toEqual({ socketPath: '/tmp/d.sock' });
  });

  it('reads tcp and http(s) addresses, 2376 being TLS', () => {
    expect(parseEngineAddress('tcp://10.0.0.5:2375')).toEqual({ host: '10.0.0.5', port: 2375, protocol: 'http' });
    expect(parseEngineAddress('tcp://docker:2376')).toEqual({ host: 'docker', port: 2376, protocol: 'https' });
    expect(parseEngineAddress('https://docker')).toEqual({ host: 'docker', port: 2376, protocol: 'https' });
    expect(parseEngineAddress('http://[::1]:2375')).toEqual({ host: '::1', port: 2375, protocol: 'http' });
  });

  it('names the value and the trouble otherwise', () => {
    expect(parseEngineAddress('unix://relative.sock')).toEqual({
      error:
        'executor.docker.host "unix://relative.sock" is not a Docker engine address: the socket path must be absolute',
    });
    expect(parseEngineAddress('ssh://me@box')).toMatchObject({
      error: expect.stringContaining('the scheme ssh is not supported'),
    });
    expect(parseEngineAddress('docker.sock')).toMatchObject({
      error: expect.stringContaining('expected unix:///path'),
    });
  });
});
