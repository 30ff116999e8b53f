import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { DriverTask, OutputSink } from './driver.js';
import { ShellDriver } from './shell-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'fluxi-shell-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const task = (command: string): DriverTask => ({
  jobRunId: 'jr1',
  pipelineRunId: 'pr1',
  attempt: 2,
  jobId: 'j1',
  command,
  image: '',
  container: { pullPolicy: 'if-not-present', cpus: 0, memoryMib: 0, entrypoint: [], keepOnFailure: false },
  env: { GREETING: 'hello' },
  workdir: dir,
});

/** An output sink keeping each stream's text. */
function sink(): OutputSink & { text: Record<string, string> } {
  const text: Record<string, string> = { stdout: '', stderr: '', system: '' };
  return {
    text,
    attach: (stream: 'stdout' | 'stderr', readable: Readable) => {
      readable.on('data', (chunk: Buffer) => (text[stream] += chunk.toString()));
    },
    system: (line: string) => (text['system'] += `${line}\n`),
  };
}

describe.each([
  { posixSpawn: true, method: 'posix_spawn' },
  { posixSpawn: false, method: 'node' },
])('ShellDriver starting jobs with $method', ({ posixSpawn, method }) => {
  const driver = new ShellDriver({ baseEnv: { PATH: '/usr/bin:/bin' }, posixSpawn });

  it('says how it starts jobs, and why when with Node', () => {
    expect(driver.spawnMethod).toBe(method);
    expect(driver.nodeSpawnReason).toBe(posixSpawn ? undefined : 'executor.posixSpawn is false');
  });

  it("runs the command in the work folder with the job's variables and Fluxi's, and ends with its exit code", async () => {
    const output = sink();
    const running = await driver.start(task('echo "$GREETING $FLUXI_ATTEMPT $CI"; pwd; echo oops >&2; exit 7'), {
      output,
      signal: new AbortController().signal,
    });
    expect(running.pid).toBeGreaterThan(0);
    expect(await running.wait()).toEqual({ kind: 'exited', exitCode: 7 });
    expect(output.text).toEqual({ stdout: `hello 2 true\n${dir}\n`, stderr: 'oops\n', system: '' });
  });

  it('stops the whole process group on kill and reports the signal', async () => {
    const output = sink();
    const running = await driver.start(task('sleep 30 & sleep 30; echo never'), {
      output,
      signal: new AbortController().signal,
    });
    expect(await running.alive()).toBe(true);
    await running.kill('SIGKILL');
    expect(await running.wait()).toEqual({ kind: 'signaled', signal: 'SIGKILL' });
    // The background sleep, killed with its group, may be a zombie its new parent has not reaped yet.
    await expect.poll(() => running.alive()).toBe(false);
    expect(output.text['stdout']).toBe('');
  });

  it('fails to start in a work folder that does not exist, saying so', async () => {
    await expect(
      driver.start(
        { ...task('true'), workdir: join(dir, 'missing') },
        { output: sink(), signal: new AbortController().signal },
      ),
    ).rejects.toThrow('could not start /bin/sh: spawn /bin/sh ENOENT');
  });
});
