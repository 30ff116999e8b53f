import { join } from 'node:path';
import { READY_MESSAGE } from '@fluxi/server';
import { runFluxiCli, type CliRun } from '@fluxi/testkit';

export interface ExecutorProcessOptions {
  /** The NATS and Redis of the Fluxi it works for. */
  natsUrl: string;
  redisUrl: string;
  /** Its own data folder: work folders (`<dataDir>/work/<jobRunId>`), log files, recorded process groups. */
  dataDir: string;
  /** More config keys, each passed as `--set key=value` (executor.pool, executor.concurrency, …). */
  settings?: Record<string, string | number | boolean>;
  /** How long it may take to say it is ready (default 60 s). */
  readyTimeoutMs?: number;
}

/** An executor running as its own OS process (`fluxi-server --target executor`). */
export interface ExecutorProcess {
  readonly pid: number;
  readonly dataDir: string;
  readonly run: CliRun;
  /**
   * SIGTERM (it drains, then stops), then SIGKILL if it is still there after `graceMs`
   * (default 20 s). Resolves with its exit code or signal, or NOT_EXITED when it has not
   * exited 5 s after the SIGKILL (so a stop never hangs a test); never rejects.
   */
  stop(graceMs?: number): Promise<number | string | null>;
}

/** What `stop()` resolves with when the process has not exited 5 s after its SIGKILL. */
export const NOT_EXITED = 'not exited';

/** How long `stop()` waits for the exit after the SIGKILL. */
const KILLED_EXIT_MS = 5000;

/** The last characters of what a process wrote, for an error message. */
const tail = (text: string): string => (text.trim() === '' ? '(nothing)' : text.trim().slice(-2000));

/**
 * Starts an executor process as an operator would on another machine, and waits until it
 * says it is ready (its queue read, its registry entry put). It gets an IPC channel as the
 * launcher's executor does, so it stops on its own when the test process goes away, even
 * killed; a test still stops it itself (`stop()`, in an afterEach).
 */
export async function startExecutorProcess(options: ExecutorProcessOptions): Promise<ExecutorProcess> {
  const { dataDir } = options;
  const settings: Record<string, string | number | boolean> = {
    'nats.url': options.natsUrl,
    'redis.url': options.redisUrl,
    'log.console': false,
    ...options.settings,
  };
  const args = ['--target', 'executor', '--data-dir', dataDir];
  for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${String(value)}`);
  const run = runFluxiCli(args, {}, { ipc: true });
  const { child } = run;
  const stop = async (graceMs = 20_000): Promise<number | string | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return run.exited;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const given = new Promise<typeof NOT_EXITED>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        timer = setTimeout(() => resolve(NOT_EXITED), KILLED_EXIT_MS);
      }, graceMs);
    });
    try {
      return await Promise.race([run.exited, given]);
    } finally {
      clearTimeout(timer);
    }
  };
  const what = `the executor process in ${dataDir} (logs: ${join(dataDir, 'logs', 'executor')})`;
  try {
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.readyTimeoutMs ?? 60_000;
      const done = (error?: Error) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(
        () =>
          done(new Error(`${what} did not say it was ready within ${timeoutMs} ms; stderr: ${tail(run.out.stderr)}`)),
        timeoutMs,
      );
      const onMessage = (message: unknown) => {
        if (message === READY_MESSAGE) done();
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(new Error(`${what} exited during its start (${code ?? signal}); stderr: ${tail(run.out.stderr)}`));
      const onError = (error: Error) => done(new Error(`${what} could not be started: ${error.message}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  } catch (error) {
    await stop(5000);
    throw error;
  }
  return { pid: child.pid ?? -1, dataDir, run, stop };
}
