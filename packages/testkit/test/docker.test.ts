import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTestImage, startTestDocker, waitFor, type TestDocker } from '../src/index.js';

// Decided at collection time so a machine without an engine shows the reason in the title.
const started = await startTestDocker();
const engine = 'docker' in started ? started.docker : undefined;
const title = 'skipped' in started ? `private Docker engine (skipped: ${started.skipped})` : 'private Docker engine';

/** Splits the multiplexed stream of a container without a TTY into stdout and stderr text. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(at + 4);
    (buffer[at] === 2 ? err : out).push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

async function runToEnd(client: Docker, image: string, script: string) {
  const container = await client.createContainer({
    Image: image,
    Cmd: ['/bin/sh', '-c', script],
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  const output = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
  await container.remove({ force: true });
  return { exitCode: StatusCode, ...output };
}

/** The state letter of a process (R, S, Z…), or undefined when it is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
const gone = (pid: number) => {
  const state = processState(pid);
  return state === undefined || state === 'Z';
};

describe.skipIf(!engine)(title, () => {
  const docker = engine as TestDocker;
  // The body is collected even when skipped (no engine here): the client then points nowhere and is not used.
  const client = new Docker(engine === undefined ? {} : { socketPath: engine.socketPath });
  afterAll(() => docker?.stop());

  it('runs a container of the test image without network and reads its output', async () => {
    const image = await ensureTestImage(docker);
    const result = await runToEnd(
      client,
      image,
      'echo hello; yes fluxi | head -n 2; dd if=/dev/zero bs=1 count=3 2>/dev/null | wc -c; ls /sys/class/net; echo oops >&2; exit 3',
    );
    expect(result).toEqual({ exitCode: 3, stdout: 'hello\nfluxi\nfluxi\n3\nlo\n', stderr: 'oops\n' });
    const inspect = await client.getImage(image).inspect();
    expect(inspect.Config.Cmd).toEqual(['/bin/sh']);
    // A second call is served from the cache: same tag, same image.
    expect(await ensureTestImage(docker)).toBe(image);
    expect((await client.getImage(image).inspect()).Id).toBe(inspect.Id);
  });

  it('gives concurrent engines their own sockets and folders; stopping one leaves the other running', async () => {
    const [a, b] = await Promise.all([startTestDocker(), startTestDocker()]);
    if (!a || !b || !('docker' in a) || !('docker' in b)) throw new Error('a second engine could not start');
    try {
      expect(new Set([docker.socketPath, a.docker.socketPath, b.docker.socketPath]).size).toBe(3);
      const images = await Promise.all([ensureTestImage(a.docker), ensureTestImage(b.docker)]);
      await a.docker.stop();
      expect(existsSync(dirname(a.docker.socketPath))).toBe(false);
      const inB = await runToEnd(new Docker({ socketPath: b.docker.socketPath }), images[1], 'echo still here');
      expect(inB.stdout).toBe('still here\n');
    } finally {
      await Promise.all([a.docker.stop(), b.docker.stop()]);
    }
  });

  it('stop ends dockerd and its containers and removes its folder, even after dockerd was SIGKILLed', async () => {
    for (const killFirst of [false, true]) {
      const other = await startTestDocker();
      if (!('docker' in other)) throw new Error(`a second engine could not start: ${other.skipped}`);
      const otherClient = new Docker({ socketPath: other.docker.socketPath });
      const container = await otherClient.createContainer({
        Image: await ensureTestImage(other.docker),
        Cmd: ['sleep', '1000'],
        HostConfig: { NetworkMode: 'none' },
      });
      await container.start();
      const sleeper = (await container.inspect()).State.Pid;
      const dockerd = other.docker.pid as number;
      expect(processState(sleeper)).toBeDefined();
      if (killFirst) {
        process.kill(dockerd, 'SIGKILL');
        await waitFor(() => gone(dockerd), { what: 'dockerd killed' });
        // The container outlives a killed dockerd: stop() has to end it.
        expect(gone(sleeper)).toBe(false);
      }
      await other.docker.stop();
      expect(gone(dockerd)).toBe(true);
      await waitFor(() => gone(sleeper), { what: `container process ${sleeper} ended`, timeoutMs: 5000 });
      expect(existsSync(dirname(other.docker.socketPath))).toBe(false);
    }
  });

  it('names why dockerd could not start: a skip reason, or an error when Docker tests are required', async () => {
    const saved = process.env['FLUXI_TEST_DOCKER'];
    // A storage driver dockerd does not know makes it exit at start.
    const failing = { storageDriver: 'no-such-driver' as 'vfs' };
    try {
      delete process.env['FLUXI_TEST_DOCKER'];
      const result = await startTestDocker(failing);
      expect(result).toEqual({ skipped: expect.stringMatching(/^dockerd exited at start.*no-such-driver/) as string });
      process.env['FLUXI_TEST_DOCKER'] = '1';
      await expect(startTestDocker(failing)).rejects.toThrow(/FLUXI_TEST_DOCKER=1.*dockerd exited at start/);
    } finally {
      if (saved === undefined) delete process.env['FLUXI_TEST_DOCKER'];
      else process.env['FLUXI_TEST_DOCKER'] = saved;
    }
  });

  it('skips, naming the reason, for a user other than root', async () => {
    const script = `import { startTestDocker } from '@fluxi/testkit';
      process.stdout.write(JSON.stringify(await startTestDocker()));`;
    const env = { ...process.env };
    delete env['FLUXI_TEST_DOCKER'];
    delete env['FLUXI_TEST_DOCKER_HOST'];
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await once(child, 'close');
    expect(JSON.parse(output)).toEqual({ skipped: expect.stringContaining('a private dockerd needs root') as string });
  });

  it('stops dockerd and removes its folder when the process that started it is SIGKILLed', async () => {
    // The built testkit (npm test builds first), as another test process would use it.
    const script = `import { startTestDocker } from '@fluxi/testkit';
      const started = await startTestDocker();
      if (!('docker' in started)) throw new Error(started.skipped);
      process.stdout.write(JSON.stringify({ socketPath: started.docker.socketPath, pid: started.docker.pid }) + '\\n');
      setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { socketPath, pid } = JSON.parse(line) as { socketPath: string; pid: number };
    expect(processState(pid)).toBeDefined();
    child.kill('SIGKILL');
    await waitFor(() => gone(pid), { what: 'dockerd stopped by its guard' });
    await waitFor(() => !existsSync(dirname(socketPath)), { what: `${dirname(socketPath)} removed by the guard` });
  });
});
