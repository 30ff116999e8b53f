import type { Driver, DriverHost } from './driver.js';

/** The driver names a job can be run by. */
export type DriverName = 'shell' | 'docker';

/** Which driver runs a job: Docker when it names an image, the shell otherwise. */
export function driverNameFor(image: string): DriverName {
  return image === '' ? 'shell' : 'docker';
}

/**
 * The executor's drivers by name, with their `init` and `close` hooks run once
 * each, in order of registration (closed in reverse).
 */
export class DriverRegistry {
  private readonly drivers = new Map<string, Driver>();

  constructor(drivers: readonly Driver[]) {
    for (const driver of drivers) {
      if (this.drivers.has(driver.name)) throw new Error(`two drivers are named ${driver.name}`);
      this.drivers.set(driver.name, driver);
    }
  }

  /** The driver of a job with this image. */
  forImage(image: string): Driver {
    return this.get(driverNameFor(image));
  }

  get(name: string): Driver {
    const driver = this.drivers.get(name);
    if (driver === undefined) throw new Error(`no driver named ${name}`);
    return driver;
  }

  names(): string[] {
    return [...this.drivers.keys()];
  }

  async init(host: DriverHost): Promise<void> {
    for (const driver of this.drivers.values()) await driver.init?.(host);
  }

  /** Closes every driver, even when one fails; throws the first failure after. */
  async close(): Promise<void> {
    let failure: unknown;
    for (const driver of [...this.drivers.values()].reverse()) {
      try {
        await driver.close?.();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
