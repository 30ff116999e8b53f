import { describe, expect, it } from 'vitest';
import { DockerUnavailableDriver } from './docker-unavailable-driver.js';
import type { Driver, DriverHost } from './driver.js';
import { DriverRegistry, driverNameFor } from './registry.js';
import { ShellDriver } from './shell-driver.js';

const host: DriverHost = { reportLost: async () => undefined };

/** A driver that only records its hooks. */
function hooked(name: string, calls: string[], failClose = false): Driver {
  return {
    name,
    init: async () => void calls.push(`init ${name}`),
    close: async () => {
      calls.push(`close ${name}`);
      if (failClose) throw new Error(`${name} failed to close`);
    },
    start: () => Promise.reject(new Error('not used')),
  };
}

describe('DriverRegistry', () => {
  it('picks docker for a job with an image and the shell otherwise', () => {
    const shell = new ShellDriver({ baseEnv: {} });
    const docker = new DockerUnavailableDriver();
    const registry = new DriverRegistry([shell, docker]);
    expect(driverNameFor('')).toBe('shell');
    expect(registry.forImage('')).toBe(shell);
    expect(registry.forImage('alpine:3')).toBe(docker);
    expect(registry.names()).toEqual(['shell', 'docker']);
    expect(() => registry.get('podman')).toThrow('no driver named podman');
  });

  it('refuses two drivers of one name', () => {
    expect(() => new DriverRegistry([new DockerUnavailableDriver(), new DockerUnavailableDriver()])).toThrow(
      'two drivers are named docker',
    );
  });

  it('inits in order, closes in reverse, and closes every driver even when one fails', async () => {
    const calls: string[] = [];
    const registry = new DriverRegistry([hooked('shell', calls), hooked('docker', calls, true)]);
    await registry.init(host);
    await expect(registry.close()).rejects.toThrow('docker failed to close');
    expect(calls).toEqual(['init shell', 'init docker', 'close docker', 'close shell']);
  });
});
