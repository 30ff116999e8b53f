import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '@fluxi/common';
import { tempDir } from '@fluxi/testkit';
import { LocalArtifactStore, artifactsDir } from '../src/index.js';

let dirs: ReturnType<typeof tempDir>;
let work: string;
let store: LocalArtifactStore;

function write(path: string, content: string): void {
  mkdirSync(dirname(join(work, path)), { recursive: true });
  writeFileSync(join(work, path), content);
}

beforeEach(() => {
  dirs = tempDir('fluxi-artifacts-');
  work = join(dirs.path, 'work');
  mkdirSync(work);
  store = new LocalArtifactStore({ dir: join(dirs.path, 'store'), maxFileBytes: 1000 });
});

afterEach(() => dirs.remove());

describe('artifactsDir', () => {
  it('is artifacts.dir when set, else <dataDir>/artifacts, always absolute', () => {
    expect(artifactsDir(configSchema.parse({ dataDir: '/data' }))).toBe('/data/artifacts');
    expect(artifactsDir(configSchema.parse({ dataDir: '/data', artifacts: { dir: '/shared/a' } }))).toBe('/shared/a');
    expect(artifactsDir(configSchema.parse({ dataDir: 'rel' }))).toBe(join(process.cwd(), 'rel', 'artifacts'));
  });
});

describe('LocalArtifactStore.save', () => {
  it('saves globbed files and whole folders, sorted, under <dir>/<jobRunId>', async () => {
    write('dist/a.js', 'a');
    write('dist/sub/b.js', 'bb');
    write('dist/.map', 'm');
    write('report.txt', 'report');
    write('src/c.ts', 'c');
    const result = await store.save('JR1', work, ['dist/', '*.txt', 'missing/**', 'src/*.md']);
    expect(result.files).toEqual([
      { path: 'dist/.map', sizeBytes: 1 },
      { path: 'dist/a.js', sizeBytes: 1 },
      { path: 'dist/sub/b.js', sizeBytes: 2 },
      { path: 'report.txt', sizeBytes: 6 },
    ]);
    expect(result.unmatched).toEqual(['missing/**', 'src/*.md']);
    expect(result.skipped).toEqual([]);
    expect(readFileSync(join(store.dir, 'JR1', 'dist/sub/b.js'), 'utf8')).toBe('bb');
    expect(await store.list('JR1')).toEqual(result.files);
  });

  it('matches ** across folders and keeps file modes', async () => {
    write('a/x.log', 'x');
    write('a/b/c/y.log', 'y');
    write('a/b/z.txt', 'z');
    chmodSync(join(work, 'a/x.log'), 0o755);
    const result = await store.save('JR1', work, ['**/*.log']);
    expect(result.files.map((file) => file.path)).toEqual(['a/b/c/y.log', 'a/x.log']);
    expect(statSync(join(store.dir, 'JR1', 'a/x.log')).mode & 0o777).toBe(0o755);
  });

  it('saves a file once when several patterns match it', async () => {
    write('dist/a.js', 'a');
    const result = await store.save('JR1', work, ['dist', 'dist/*.js', '**']);
    expect(result.files).toEqual([{ path: 'dist/a.js', sizeBytes: 1 }]);
    expect(result.unmatched).toEqual([]);
  });

  it('skips links leading outside the work folder, with a note, and follows links to files inside', async () => {
    const outside = join(dirs.path, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'secret');
    write('dist/real.txt', 'real');
    symlinkSync(join(outside, 'secret'), join(work, 'dist/leak'));
    symlinkSync(outside, join(work, 'dist/leakdir'));
    symlinkSync(outside, join(work, 'out'));
    symlinkSync('real.txt', join(work, 'dist/alias.txt'));
    symlinkSync('nowhere', join(work, 'dist/broken'));
    const result = await store.save('JR1', work, ['dist', 'out/secret', '../outside/secret', '/etc/passwd']);
    expect(result.files).toEqual([
      { path: 'dist/alias.txt', sizeBytes: 4 },
      { path: 'dist/real.txt', sizeBytes: 4 },
    ]);
    const reasons = Object.fromEntries(result.skipped.map((skip) => [skip.path, skip.reason]));
    expect(reasons).toEqual({
      '../outside/secret': 'pattern leaves the work folder (..)',
      '/etc/passwd': 'absolute pattern: artifact paths are relative to the work folder',
      'dist/broken': 'broken symbolic link',
      'dist/leak': 'symbolic link pointing outside the work folder',
      'dist/leakdir': 'symbolic link pointing outside the work folder',
      'out/secret': 'reached through a symbolic link pointing outside the work folder',
    });
    expect(result.unmatched).toEqual([]);
    expect(await store.list('JR1')).toEqual(result.files);
  });

  it('skips files larger than maxFileBytes with a note', async () => {
    write('big.bin', 'x'.repeat(1001));
    write('small.bin', 'x'.repeat(1000));
    const result = await store.save('JR1', work, ['*.bin']);
    expect(result.files).toEqual([{ path: 'small.bin', sizeBytes: 1000 }]);
    expect(result.skipped).toEqual([{ path: 'big.bin', reason: '1001 bytes, larger than the limit of 1000 bytes' }]);
  });

  it('replaces what an earlier save of the same job run kept', async () => {
    write('one.txt', '1');
    await store.save('JR1', work, ['one.txt']);
    write('two.txt', '2');
    await store.save('JR1', work, ['two.txt']);
    expect((await store.list('JR1')).map((file) => file.path)).toEqual(['two.txt']);
    await store.save('JR1', work, ['none']);
    expect(await store.list('JR1')).toEqual([]);
  });

  it('refuses a malformed job run id', async () => {
    await expect(store.save('../x', work, ['*'])).rejects.toThrow(/invalid job run id/);
  });
});

describe('LocalArtifactStore.restore', () => {
  it('copies the saved files into another work folder at the same paths', async () => {
    write('dist/a.js', 'a');
    write('dist/sub/b.js', 'bb');
    await store.save('JR1', work, ['dist']);
    const other = join(dirs.path, 'other');
    mkdirSync(join(other, 'dist'), { recursive: true });
    writeFileSync(join(other, 'dist/a.js'), 'old');
    expect(await store.restore('JR1', other)).toBe(2);
    expect(readFileSync(join(other, 'dist/a.js'), 'utf8')).toBe('a');
    expect(readFileSync(join(other, 'dist/sub/b.js'), 'utf8')).toBe('bb');
  });

  it('restores nothing for a job run without artifacts', async () => {
    expect(await store.restore('JRNONE', work)).toBe(0);
  });

  it('does not write through a symbolic link in the target work folder', async () => {
    write('dist/a.js', 'a');
    await store.save('JR1', work, ['dist']);
    const other = join(dirs.path, 'other');
    const elsewhere = join(dirs.path, 'elsewhere');
    mkdirSync(other);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(other, 'dist'));
    await expect(store.restore('JR1', other)).rejects.toThrow(/in the way/);
  });
});

describe('LocalArtifactStore.open', () => {
  beforeEach(async () => {
    write('dist/a.js', 'content of a');
    await store.save('JR1', work, ['dist']);
  });

  it('streams a saved file with its size', async () => {
    const opened = await store.open('JR1', 'dist/a.js');
    expect(opened?.sizeBytes).toBe(12);
    expect(await text(opened!.stream)).toBe('content of a');
  });

  it('is undefined for a missing file, a folder or an unknown job run', async () => {
    expect(await store.open('JR1', 'dist/none.js')).toBeUndefined();
    expect(await store.open('JR1', 'dist')).toBeUndefined();
    expect(await store.open('JR2', 'dist/a.js')).toBeUndefined();
  });

  it('refuses .., absolute paths and links leading out of the job run folder', async () => {
    writeFileSync(join(dirs.path, 'secret'), 'secret');
    symlinkSync(join(dirs.path, 'secret'), join(store.dir, 'JR1', 'dist', 'evil'));
    for (const path of ['../JR2/x', 'dist/../../x', '/etc/passwd', 'dist/evil']) {
      await expect(store.open('JR1', path)).rejects.toThrow(/must be relative/);
    }
  });
});
