import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@fluxi/common';
import { processesWith, tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killLeftoverGroups, ProcessGroupGuard } from '../src/drivers/group-guard.js';

const GUARD_MODULE = new URL('../dist/drivers/group-guard.js', import.meta.url).href;
const dirs = tempDir('fluxi-group-guard-');
const children: ChildProcess[] = [];
let markerCount = 0;

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  // Whatever a failed test left.
  for (const pid of processesWith('sleep\u0000300.')) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
  dirs.remove();
});

/** A `sleep` argument no other test uses, so its processes can be found by command line. */
const marker = (): string => `300.${process.pid}${(markerCount += 1)}`;

/** The live `sleep <marker>` processes (a command line's arguments are NUL-separated). */
const sleeps = (sleep: string): number[] => processesWith(`sleep\u0000${sleep}\u0000`);

/**
 * A stand-in executor: a real node process that starts a job the way the shell driver does
 * (`/bin/sh -c` detached: its own process group, here with a background child too), guards
 * its group, and prints the group id. The test then SIGKILLs it. `leaderExited`: the shell
 * leaves both sleeps in the background and exits, and the group is guarded once the shell is
 * a zombie (exited, not reaped yet), as a fast command often is when the driver guards it.
 */
async function startHolder(
  sleep: string,
  recordDir: string,
  options: { leaderExited?: boolean } = {},
): Promise<{ holder: ChildProcess; pgid: number }> {
  const command = options.leaderExited
    ? `sleep ${sleep} & sleep ${sleep} & exit 0`
    : `sleep ${sleep} & sleep ${sleep}; wait`;
  // Node reaps its children from the event loop: blocked here, the shell stays a zombie.
  const untilZombie = `
    const until = Date.now() + 10000;
    while (Date.now() < until && readFileSync('/proc/' + job.pid + '/stat', 'utf8').split(') ')[1][0] !== 'Z');`;
  const script = `
    import { spawn } from 'node:child_process';
    import { readFileSync } from 'node:fs';
    import { ProcessGroupGuard } from ${JSON.stringify(GUARD_MODULE)};
    const job = spawn('/bin/sh', ['-c', '${command}'], { detached: true, stdio: 'ignore' });
    ${options.leaderExited ? untilZombie : ''}
    new ProcessGroupGuard({ recordDir: ${JSON.stringify(recordDir)}, graceSec: 1 }).guardGroup(job.pid);
    process.stdout.write(String(job.pid) + '\\n');
    setInterval(() => undefined, 1000);
  `;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(holder);
  let out = '';
  holder.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const pgid = await waitFor(() => Number(out.trim().split('\n')[0]) || undefined, { what: 'the job group id' });
  await waitFor(() => sleeps(sleep).length === 2, { what: 'both sleeps to run' });
  return { holder, pgid };
}

const sigkill = async (child: ChildProcess): Promise<void> => {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
};

describe('job process group guard', () => {
  it('kills a guarded group when the process that ran it is SIGKILLed', async () => {
    const sleep = marker();
    const recordDir = join(dirs.path, 'guarded');
    const { holder, pgid } = await startHolder(sleep, recordDir);
    expect(readdirSync(recordDir)).toEqual([`${pgid}.pgid`]);
    await sigkill(holder);
    await waitFor(() => sleeps(sleep).length === 0, { what: `no sleep ${sleep} left` });
  });

  it('records and guards a group whose leader already exited, for what it left running', async () => {
    const sleep = marker();
    const recordDir = join(dirs.path, 'leader-exited');
    const { holder, pgid } = await startHolder(sleep, recordDir, { leaderExited: true });
    // Recorded, so the folder's one guard covers it: no guard process of its own.
    expect(readdirSync(recordDir)).toEqual([`${pgid}.pgid`]);
    expect(processesWith(`kill -TERM -${pgid}`)).toEqual([]);
    await sigkill(holder);
    await waitFor(() => sleeps(sleep).length === 0, { what: `no sleep ${sleep} left` });
  });

  it('kills at the next start what a group record lists when the guard could not act', async () => {
    const sleep = marker();
    const recordDir = join(dirs.path, 'recorded');
    const { holder } = await startHolder(sleep, recordDir);
    // The guard goes first (say, the whole tree was SIGKILLed), then the holder. One guard
    // shell covers the recorded groups of the folder.
    const guardOf = `cd '${recordDir}'`;
    expect(processesWith(guardOf)).toHaveLength(1);
    for (const pid of processesWith(guardOf)) process.kill(pid, 'SIGKILL');
    await waitFor(() => processesWith(guardOf).length === 0, { what: 'the guard to be gone' });
    await sigkill(holder);
    expect(sleeps(sleep)).toHaveLength(2);

    expect(await killLeftoverGroups(recordDir, silentLogger())).toBe(1);
    await waitFor(() => sleeps(sleep).length === 0, { what: `no sleep ${sleep} left` });
    expect(readdirSync(recordDir)).toEqual([]);
  });

  it('leaves groups alone whose owner still runs or whose id now names another group', async () => {
    const recordDir = join(dirs.path, 'others');
    const sleep = marker();
    const job = spawn('/bin/sh', ['-c', `sleep ${sleep}`], { detached: true, stdio: 'ignore' });
    children.push(job);
    const pgid = job.pid as number;
    await waitFor(() => sleeps(sleep).length > 0, { what: 'the sleep to run' });
    const running = sleeps(sleep).length;
    // Owned by this (live) process.
    const handle = new ProcessGroupGuard({ recordDir }).guardGroup(pgid);
    expect(await killLeftoverGroups(recordDir, silentLogger())).toBe(0);
    expect(sleeps(sleep)).toHaveLength(running);
    handle.release();
    expect(existsSync(join(recordDir, `${pgid}.pgid`))).toBe(false);

    // A dead owner's record of the same group id, but another leader (its start time differs).
    writeFileSync(
      join(recordDir, `${pgid}.pgid`),
      JSON.stringify({ pgid, bootId: 'x', leaderStart: 1, ownerPid: 999_999_999, ownerStart: 1 }),
    );
    expect(await killLeftoverGroups(recordDir, silentLogger())).toBe(0);
    expect(sleeps(sleep)).toHaveLength(running);
    expect(readdirSync(recordDir)).toEqual([]);
    process.kill(-pgid, 'SIGKILL');
  });

  it('does nothing to a group once released, even when its process dies', async () => {
    const sleep = marker();
    const recordDir = join(dirs.path, 'released');
    const script = `
      import { spawn } from 'node:child_process';
      import { ProcessGroupGuard } from ${JSON.stringify(GUARD_MODULE)};
      const job = spawn('/bin/sh', ['-c', 'sleep ${sleep}'], { detached: true, stdio: 'ignore' });
      job.unref();
      new ProcessGroupGuard({ recordDir: ${JSON.stringify(recordDir)}, graceSec: 0 }).guardGroup(job.pid).release();
      process.stdout.write(String(job.pid) + '\\n');
    `;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(holder);
    const exited = new Promise<number | null>((resolve) => holder.once('exit', (code) => resolve(code)));
    let out = '';
    holder.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await exited).toBe(0);
    const pgid = Number(out.trim());
    // The guard was killed before its pipe closed: the job is left to whoever released it.
    await waitFor(() => processesWith(`kill -TERM -${pgid}`).length === 0, { what: 'the guard to be gone' });
    expect(sleeps(sleep).length).toBeGreaterThan(0);
    expect(readdirSync(recordDir)).toEqual([]);
    process.kill(-pgid, 'SIGKILL');
  });
});
