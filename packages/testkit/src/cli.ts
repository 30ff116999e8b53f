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

/** Runs `fluxi-server` with `args` as a user would, collecting what it prints. */
export function runFluxiCli(args: string[], env: Record<string, string | undefined> = {}): CliRun {
  const child = spawn(process.execPath, [FLUXI_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, out, exited };
}
