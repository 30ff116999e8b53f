import type { ServerProcess } from './process.js';

/** A server a test can take down and bring back on the same port, with the same data. */
export interface RestartableServer extends ServerProcess {
  /**
   * Starts the server again on the same port with the same data folder, after `stop()`,
   * `kill()` or a crash (a server still running is stopped first). `child`, `stop()` and
   * `kill()` then act on the new process.
   */
  restart(): Promise<void>;
}

/** Wraps a start function (same port, same data each call) into a restartable handle. */
export async function restartable(start: () => Promise<ServerProcess>): Promise<RestartableServer> {
  let current = await start();
  return {
    url: current.url,
    port: current.port,
    get child() {
      return current.child;
    },
    stop: () => current.stop(),
    kill: () => current.kill(),
    async restart() {
      await current.stop();
      current = await start();
    },
  };
}

/** A handle on a server the test did not start (FLUXI_TEST_*_URL): never stopped, cannot restart. */
export function externalRestartable(url: string): RestartableServer {
  const port = Number(new URL(url).port);
  const noop = async () => undefined;
  return {
    url,
    port,
    child: undefined as never,
    stop: noop,
    kill: noop,
    restart: () =>
      Promise.reject(
        new Error(
          `cannot restart the external server at ${url}: pass a data folder to start a server of the test's own`,
        ),
      ),
  };
}
