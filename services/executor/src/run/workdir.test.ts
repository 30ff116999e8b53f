import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareWorkdir } from './workdir.js';

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
  it('makes a fresh folder under <dataDir>/work and removes it on cleanup', async () => {
    const data = dataDir();
    const workdir = await prepareWorkdir('', data, 'JR1');
    if ('error' in workdir) throw new Error(workdir.error);
    expect(workdir.path).toBe(join(data, 'work', 'JR1'));
    expect(readdirSync(workdir.path)).toEqual([]);
    await workdir.cleanup();
    expect(existsSync(workdir.path)).toBe(false);
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
    await own.cleanup();
    expect(readdirSync(data)).toContain('keep.txt');
    expect(await prepareWorkdir('relative/dir', data, 'JR3')).toEqual({
      error: 'workdir relative/dir is not an absolute path',
    });
    expect(await prepareWorkdir(join(data, 'nope'), data, 'JR3')).toEqual({
      error: `workdir ${join(data, 'nope')} does not exist`,
    });
  });
});
