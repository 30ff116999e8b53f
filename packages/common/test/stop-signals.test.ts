import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, '../dist/stop-signals.js');

/** Runs a small ES module in a child Node process that imports listenForStop. */
function child(body: string) {
  // Signal listeners do not keep Node alive; the timer stands in for a service's servers.
  const source = `import { listenForStop } from ${JSON.stringify(MODULE)};\nsetInterval(() => {}, 1000);\n${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { proc, out, exited };
}

describe('listenForStop', () => {
  it('keeps a stop asked for while the process is still starting, and honours it once started', async () => {
    // The "start" blocks the event loop, as a long synchronous start would: the signal
    // arrives in the middle of it. Node's default handler would kill the process.
    const { proc, out, exited } = child(`
      const signals = listenForStop();
      process.stdout.write('starting\\n');
      const end = Date.now() + 1500;
      while (Date.now() < end) {}
      process.stdout.write('started\\n');
      const why = await signals.requested;
      process.stdout.write('stopped on ' + why + '\\n');
      process.exit(0);
    `);
    await waitFor(() => out.stdout.includes('starting'), { what: 'the child to start' });
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.stdout).toContain('started\nstopped on SIGTERM');
  });

  it('exits at once with 130 on a second signal while stopping', async () => {
    const { proc, out, exited } = child(`
      const signals = listenForStop({ onForced: () => process.stderr.write('forced exit\\n') });
      process.stdout.write('ready\\n');
      await signals.requested;
      process.stdout.write('stopping\\n');
      // A stop that never ends: the process only goes on a second signal.
    `);
    await waitFor(() => out.stdout.includes('ready'), { what: 'the child to be ready' });
    proc.kill('SIGINT');
    await waitFor(() => out.stdout.includes('stopping'), { what: 'the child to stop' });
    proc.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out.stderr).toBe('forced exit\n');
  });
});
