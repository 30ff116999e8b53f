import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareWorkdir, setAsideLeftovers, sweepWorkFolders } from './workdir.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxi-workdir-'));
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('prepareWorkdir', () => {
  it('makes a fresh folder under <dataDir>/work; cleanup frees the path at once and deletes it later', async () => {
    const data = dataDir();
    const workdir = await prepareWorkdir('', data, 'JR1');
    if ('error' in workdir) throw new Error(workdir.error);
    expect(workdir.path).toBe(join(data, 'work', 'JR1'));
    expect(readdirSync(workdir.path)).toEqual([]);
    writeFileSync(join(workdir.path, 'first.txt'), 'attempt 1');
    const remove = await workdir.cleanup();
    expect(existsSync(workdir.path)).toBe(false);
    expect(readdirSync(join(data, 'work'))).toEqual([expect.stringMatching(/^JR1\.removing-/)]);

    // A retry of the same job run makes its folder before the first one's deletion ran.
    const retry = await prepareWorkdir('', data, 'JR1');
    if ('error' in retry) throw new Error(retry.error);
    writeFileSync(join(retry.path, 'second.txt'), 'attempt 2');
    await remove();
    expect(readdirSync(join(data, 'work'))).toEqual(['JR1']);
    expect(readdirSync(retry.path)).toEqual(['second.txt']);
    await (
      await retry.cleanup()
    )();
    expect(readdirSync(join(data, 'work'))).toEqual([]);
  });

  it('deletes at once a folder the job removed or moved itself', async () => {
    const data = dataDir();
    const workdir = await prepareWorkdir('', data, 'JR4');
    if ('error' in workdir) throw new Error(workdir.error);
    rmSync(workdir.path, { recursive: true });
    await (
      await workdir.cleanup()
    )();
    expect(readdirSync(join(data, 'work'))).toEqual([]);
  });

  it('sweeps folders moved aside by an executor that stopped before deleting them', async () => {
    const data = dataDir();
    mkdirSync(join(data, 'work', 'JR5.removing-0b7c', 'deep'), { recursive: true });
    mkdirSync(join(data, 'work', 'JR6'), { recursive: true });
    expect(await sweepWorkFolders(data)).toBe(1);
    expect(readdirSync(join(data, 'work'))).toEqual(['JR6']);
    expect(await sweepWorkFolders(dataDir())).toBe(0);
  });

  it('empties a folder a crashed executor left behind', async () => {
    const data = dataDir();
    const stale = join(data, 'work', 'JR2');
    mkdirSync(join(stale, 'sub'), { recursive: true });
    writeFileSync(join(stale, 'sub', 'old.txt'), 'from the previous life');
    const workdir = await prepareWorkdir('', data, 'JR2');
    if ('error' in workdir) throw new Error(workdir.error);
    expect(readdirSync(workdir.path)).toEqual([]);
  });

  it('uses a folder the job asks for as it is and refuses a relative or missing one', async () => {
    const data = dataDir();
    writeFileSync(join(data, 'keep.txt'), 'x');
    const own = await prepareWorkdir(data, data, 'JR3');
    if ('error' in own) throw new Error(own.error);
    await (
      await own.cleanup()
    )();
    expect(readdirSync(data)).toContain('keep.txt');
    expect(await prepareWorkdir('relative/dir', data, 'JR3')).toEqual({
      error: 'workdir relative/dir is not an absolute path',
    });
    expect(await prepareWorkdir(join(data, 'nope'), data, 'JR3')).toEqual({
      error: `workdir ${join(data, 'nope')} does not exist`,
    });
  });
});

describe('setAsideLeftovers', () => {
  const owners = (data: string) => join(data, 'work.owners');
  const record = (data: string, jobRunId: string, owner: object) => {
    mkdirSync(owners(data), { recursive: true });
    writeFileSync(join(owners(data), jobRunId), JSON.stringify(owner));
  };

  it('sets aside the folders of a dead owner or of none, and keeps a live owner’s', async () => {
    const data = dataDir();
    // A live attempt of this process (recorded as prepareWorkdir records it).
    const live = await prepareWorkdir('', data, 'JR_LIVE');
    if ('error' in live) throw new Error(live.error);
    expect(readdirSync(owners(data))).toEqual(['JR_LIVE']);
    // A process that ended: its pid and start time no longer name a running process.
    const ended = await new Promise<number>((done) => {
      const child = spawn('true');
      child.on('exit', () => done(child.pid ?? 0));
    });
    const dead = JSON.parse(readFileSync(join(owners(data), 'JR_LIVE'), 'utf8')) as { start: number };
    mkdirSync(join(data, 'work', 'JR_DEAD', 'deep'), { recursive: true });
    record(data, 'JR_DEAD', { ...dead, pid: ended });
    // Of a version that recorded no owner.
    mkdirSync(join(data, 'work', 'JR_OLD'), { recursive: true });
    // A record whose folder was never made, of a dead owner.
    record(data, 'JR_NEVER', { ...dead, pid: ended });

    expect(await setAsideLeftovers(data)).toBe(2);
    const left = readdirSync(join(data, 'work')).sort();
    expect(left).toHaveLength(3);
    expect(left[0]).toMatch(/^JR_DEAD\.removing-/);
    expect(left[1]).toBe('JR_LIVE');
    expect(left[2]).toMatch(/^JR_OLD\.removing-/);
    expect(readdirSync(owners(data))).toEqual(['JR_LIVE']);
    expect(await sweepWorkFolders(data)).toBe(2);
    expect(readdirSync(join(data, 'work'))).toEqual(['JR_LIVE']);

    // The live attempt's end removes its record too.
    await (
      await live.cleanup()
    )();
    expect(readdirSync(owners(data))).toEqual([]);
  });
});
