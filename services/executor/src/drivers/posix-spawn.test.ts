import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, loadPosixSpawn, SpawnError, type SpawnShell } from './posix-spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'fluxi-posix-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loaded = loadPosixSpawn();
const spawnShell = loaded as SpawnShell;
const env = { PATH: '/usr/bin:/bin', FOO: 'bar baz' };

const text = async (pipe: Readable): Promise<string> => {
  let out = '';
  for await (const chunk of pipe) out += String(chunk);
  return out;
};

describe('exitOf', () => {
  it('reads an exit code or a signal from a wait status', () => {
    expect(exitOf(0)).toEqual({ code: 0, signal: null });
    expect(exitOf(3 << 8)).toEqual({ code: 3, signal: null });
    expect(exitOf(9)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitOf(15 | 0x80)).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('loadPosixSpawn', () => {
  it('says why when the C library cannot be had', () => {
    expect(loadPosixSpawn('libfluxi-missing.so.9')).toEqual({
      unavailable: expect.stringContaining('libfluxi-missing.so.9'),
    });
  });

  it('is had on this machine (Linux, glibc)', () => {
    expect(typeof loaded).toBe('function');
  });
});

describe('a shell started with posix_spawn (real processes)', () => {
  it('runs /bin/sh -c in the work folder with only the given variables, output on two pipes, its exit code', async () => {
    const shell = spawnShell('echo out; echo err >&2; pwd; echo "$FOO"; echo "${HOME-unset}"; exit 3', dir, env);
    const [out, err, exit] = await Promise.all([text(shell.stdout), text(shell.stderr), shell.exited]);
    expect(out).toBe(`out\n${dir}\nbar baz\nunset\n`);
    expect(err).toBe('err\n');
    expect(exit).toEqual({ code: 3, signal: null });
  });

  it('gives it a session and process group of its own, /dev/null as input, default signals, the files Node would', async () => {
    // The shell reads its own status with a builtin: a child reading it could catch the shell
    // mid-fork, when it blocks every signal for a moment.
    const command = [
      'cat',
      'echo $(ls /proc/$$/fd)',
      'while read -r key value; do case $key in SigBlk:|SigIgn:) echo "$key $value";; esac; done < /proc/$$/status',
      'cut -d" " -f5,6 /proc/$$/stat',
    ].join('; ');
    const shell = spawnShell(command, dir, env);
    const [out, exit] = await Promise.all([text(shell.stdout), shell.exited, text(shell.stderr)]);
    expect(exit).toEqual({ code: 0, signal: null });
    const [fds, blocked, ignored, groups] = out.trim().split('\n');
    // Node ignores SIGPIPE; a job gets every signal back to its default, none blocked. (glibc keeps
    // its own signals 32 and 33 out of posix_spawn's reach; glibc programs set them up at start.)
    expect(blocked).toMatch(/^SigBlk: 0+$/);
    expect(BigInt(`0x${ignored?.split(' ')[1] ?? 'x'}`) & ~0x180000000n).toBe(0n);
    // Process group and session are the shell's own pid, as with Node's detached spawn.
    expect(groups).toBe(`${shell.pid} ${shell.pid}`);
    // The same open files as under Node's spawn (input, output, errors, and what this process inherited).
    const node = spawn('/bin/sh', ['-c', command], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [nodeOut] = await Promise.all([text(node.stdout), text(node.stderr)]);
    expect(fds).toBe(nodeOut.split('\n')[0]);
    expect(fds).toMatch(/^0 1 2\b/);
  });

  it('reports the signal that ended it, sent to its process group', async () => {
    const shell = spawnShell('sleep 30', dir, env);
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(-shell.pid, 'SIGTERM');
    const [exit] = await Promise.all([shell.exited, text(shell.stdout), text(shell.stderr)]);
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('sees the exit of a job whose output something it started keeps open', async () => {
    const shell = spawnShell('(sleep 1 &); exit 4', dir, env);
    const exit = await shell.exited;
    expect(exit).toEqual({ code: 4, signal: null });
    shell.stdout.destroy();
    shell.stderr.destroy();
  });

  it('refuses a work folder that does not exist, with the errno name, leaving no open pipe behind', () => {
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    expect(() => spawnShell('true', join(dir, 'missing'), env)).toThrow(new SpawnError('ENOENT'));
    expect(open()).toBe(before);
  });
});
