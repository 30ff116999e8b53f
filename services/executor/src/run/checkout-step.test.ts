import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCheckout, withoutCredentials } from '../domain/checkout.js';
import { checkoutCommit } from './checkout-step.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  }).trim();

function sink() {
  const lines: string[] = [];
  return { lines, output: { system: (text: string) => lines.push(text), attach: () => undefined } };
}

describe('checkoutCommit with a real git', () => {
  const root = mkdtempSync(join(tmpdir(), 'fluxi-checkout-'));
  const bare = join(root, 'origin.git');
  let first = '';
  let second = '';

  beforeAll(() => {
    const work = join(root, 'work');
    mkdirSync(work);
    git(root, 'init', '--quiet', '--bare', bare);
    git(work, 'init', '--quiet');
    writeFileSync(join(work, 'README'), 'first\n');
    git(work, 'add', 'README');
    git(work, 'commit', '--quiet', '-m', 'first');
    first = git(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'README'), 'second\n');
    git(work, 'commit', '--quiet', '-am', 'second');
    second = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fetches exactly the commit asked for, not the branch head', async () => {
    const folder = mkdtempSync(join(root, 'job-'));
    const { lines, output } = sink();
    const result = await checkoutCommit(
      { repository: `file://${bare}`, commit: first, ref: 'refs/heads/main' },
      folder,
      output,
      30_000,
    );
    expect(result).toBeUndefined();
    expect(readFileSync(join(folder, 'README'), 'utf8')).toBe('first\n');
    expect(git(folder, 'rev-parse', 'HEAD')).toBe(first);
    expect(lines[0]).toBe(`checking out ${first.slice(0, 12)} (refs/heads/main) of file://${bare}`);
    const head = mkdtempSync(join(root, 'job-'));
    expect(
      await checkoutCommit({ repository: bare, commit: second, ref: '' }, head, sink().output, 30_000),
    ).toBeUndefined();
    expect(readFileSync(join(head, 'README'), 'utf8')).toBe('second\n');
  });

  it('fails as infrastructure, naming the commit and not the credentials, when it cannot fetch', async () => {
    const folder = mkdtempSync(join(root, 'job-'));
    const { lines, output } = sink();
    const missing = 'f'.repeat(40);
    const result = await checkoutCommit(
      { repository: `file://${bare}`, commit: missing, ref: '' },
      folder,
      output,
      30_000,
    );
    expect(result).toMatchObject({ kind: 'infrastructure' });
    expect((result as { reason: string }).reason).toContain(
      `checkout of ${missing.slice(0, 12)} from file://${bare} failed`,
    );
    const secret = await checkoutCommit(
      { repository: 'http://user:s3cr3t@127.0.0.1:9/o/r.git', commit: first, ref: '' },
      mkdtempSync(join(root, 'job-')),
      output,
      30_000,
    );
    expect(secret).toMatchObject({ kind: 'infrastructure' });
    expect(lines.join('\n')).not.toContain('s3cr3t');
    expect(lines.join('\n')).toContain('http://***@127.0.0.1:9/o/r.git');
  });

  it('fails as a job error when the run has no commit', async () => {
    const { lines, output } = sink();
    const result = await checkoutCommit(undefined, root, output, 30_000);
    expect(result).toMatchObject({ kind: 'jobError' });
    expect(lines[0]).toContain('only runs started by a git push');
  });
});

describe('planCheckout', () => {
  it('refuses what is not a commit, and option-like URLs', () => {
    expect(planCheckout({ repository: 'https://h/o/r', commit: 'main', ref: '' })).toMatchObject({ ok: false });
    expect(planCheckout({ repository: '--upload-pack=x', commit: 'a'.repeat(40), ref: '' })).toMatchObject({
      ok: false,
    });
  });

  it('hides user and password in URLs', () => {
    expect(withoutCredentials('fatal: unable to access https://x:tok@github.com/o/r/')).toBe(
      'fatal: unable to access https://***@github.com/o/r/',
    );
    expect(withoutCredentials('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
  });
});
