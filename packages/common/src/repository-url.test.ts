import { describe, expect, it } from 'vitest';
import { repositoryKey, sameRepository } from './repository-url.js';

describe('repositoryKey', () => {
  it.each([
    'https://github.com/fluxi-dev/hello-ci',
    'https://github.com/fluxi-dev/hello-ci.git',
    'https://github.com/fluxi-dev/hello-ci/',
    'https://github.com/fluxi-dev/hello-ci.git/',
    'https://GitHub.com/Fluxi-Dev/Hello-CI',
    'http://www.github.com/fluxi-dev/hello-ci',
    'https://user:token@github.com:443/fluxi-dev/hello-ci.git',
    'git@github.com:fluxi-dev/hello-ci.git',
    'git@github.com:fluxi-dev/hello-ci',
    'github.com:fluxi-dev/hello-ci.git',
    'ssh://git@github.com/fluxi-dev/hello-ci.git',
    'ssh://git@github.com:22/fluxi-dev/hello-ci.git',
    'git+ssh://git@github.com/fluxi-dev/hello-ci.git',
    'git://github.com/fluxi-dev/hello-ci.git',
    '  https://github.com//fluxi-dev//hello-ci  ',
  ])('%s → github.com/fluxi-dev/hello-ci', (url) => {
    expect(repositoryKey(url)).toBe('github.com/fluxi-dev/hello-ci');
  });

  it('keeps GitLab subgroups and drops custom ssh ports', () => {
    const key = 'gitlab.example.com/platform/tools/hello-ci';
    expect(repositoryKey('https://gitlab.example.com/platform/tools/hello-ci')).toBe(key);
    expect(repositoryKey('git@gitlab.example.com:platform/tools/hello-ci.git')).toBe(key);
    expect(repositoryKey('ssh://git@gitlab.example.com:2222/platform/tools/hello-ci.git')).toBe(key);
    expect(repositoryKey('https://gitlab.example.com:8443/platform/tools/hello-ci.git')).toBe(key);
  });

  it('keeps the case of local repositories', () => {
    expect(repositoryKey('/srv/git/Hello.git')).toBe('file:///srv/git/Hello');
    expect(repositoryKey('file:///srv/git/Hello.git/')).toBe('file:///srv/git/Hello');
  });

  it('gives null for what is not a repository URL', () => {
    for (const bad of [
      '',
      'hello-ci',
      'https://github.com',
      'https://github.com/',
      'mailto:a@b.c',
      'ftp://host/o/r',
      'http://[::1',
    ]) {
      expect(repositoryKey(bad)).toBeNull();
    }
  });

  it('tells different repositories apart', () => {
    expect(sameRepository('git@github.com:fluxi-dev/hello-ci.git', 'https://github.com/fluxi-dev/hello-ci')).toBe(true);
    expect(sameRepository('https://github.com/fluxi-dev/hello-ci', 'https://github.com/fluxi-dev/hello-cd')).toBe(
      false,
    );
    expect(sameRepository('https://github.com/fluxi-dev/hello-ci', 'https://gitlab.com/fluxi-dev/hello-ci')).toBe(
      false,
    );
    expect(sameRepository('https://github.com/a/b/c', 'https://github.com/a/b')).toBe(false);
    expect(sameRepository('', '')).toBe(false);
  });
});
