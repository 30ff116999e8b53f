import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `fluxi-server` entry point of this checkout. */
export const FLUXI_BIN = fileURLToPath(new URL('../../../apps/server/dist/bin.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** What it printed so far. */
  out: { stdout: string; stderr: string };
  /** Its exit code, or the signal's name when a signal ended it (e.g. 'SIGKILL'). */
  exited: Promise<number | string | null>;
}

export interface CliOptions {
  /**
   * Opens an IPC channel, as the launcher does for its executor process: the process then
   * says it is ready by a message instead of printing, and stops on its own when this
   * process goes away (even killed), so it cannot outlive the test.
   */
  ipc?: boolean;
}

/** Runs `fluxi-server` with `args` as a user would, collecting what it prints. */
export function runFluxiCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: CliOptions = {},
): CliRun {
  const child = spawn(process.execPath, [FLUXI_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, out, exited };
}
