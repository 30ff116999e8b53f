import { spawn, type ChildProcess } from 'node:child_process';
import { canConnect } from '@fluxi/common';
import { waitFor } from './wait.js';

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server at once, like a crash. */
  kill(): Promise<void>;
}

/** Spawns a server binary and waits until its TCP port accepts connections. */
export async function spawnServer(command: string, args: string[], port: number, url: string): Promise<ServerProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | undefined;
  child.once('error', (error) => (failed = error));
  await waitFor(
    async () => {
      if (failed) throw failed;
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}: ${stderr}`);
      return canConnect(port);
    },
    { what: `${command} on port ${port}`, timeoutMs: 15_000 },
  );
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { url, port, child, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
