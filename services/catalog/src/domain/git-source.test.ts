import { isFluxiError } from '@fluxi/common';
import { describe, expect, it } from 'vitest';
import { validateGitSource, validateWebhookSecret, webhookSecretOf } from './git-source.js';

function fault(run: () => unknown): { message: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    if (isFluxiError(error)) return { message: error.message, field: error.field };
    throw error;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('validateGitSource', () => {
  it('keeps the URL as written and adds the key every form of it shares', () => {
    const https = validateGitSource({ repository: ' https://GitHub.com/Acme/Api.git ' }, 'input.git');
    const ssh = validateGitSource({ repository: 'git@github.com:acme/api.git' }, 'input.git');
    expect(https).toEqual({
      repository: 'https://GitHub.com/Acme/Api.git',
      repositoryKey: 'github.com/acme/api',
      branches: [],
      tags: [],
      events: [],
    });
    expect(ssh?.repositoryKey).toBe(https?.repositoryKey);
    expect(validateGitSource({ repository: 'file:///srv/Repo.git' }, 'input.git')?.repositoryKey).toBe(
      'file:///srv/Repo',
    );
  });

  it('is null when absent', () => {
    expect(validateGitSource(undefined, 'input.git')).toBeNull();
    expect(validateGitSource(null, 'input.git')).toBeNull();
  });

  it('keeps globs and events in the order given', () => {
    const git = validateGitSource(
      {
        repository: 'https://gitlab.example.com/g/sub/p',
        branches: ['main', 'release/*', '!wip/**'],
        tags: ['v*'],
        events: ['TAG', 'PUSH'],
      },
      'input.git',
    );
    expect(git).toMatchObject({ branches: ['main', 'release/*', '!wip/**'], tags: ['v*'], events: ['TAG', 'PUSH'] });
  });

  it.each([
    [{ repository: '' }, 'input.git.repository', 'repository is required'],
    [{ repository: 'not a url' }, 'input.git.repository', 'is not a git URL'],
    [{ repository: 'ftp://host/o/r' }, 'input.git.repository', 'is not a git URL'],
    [{ repository: 'https://x:tok@github.com/o/r' }, 'input.git.repository', 'must not hold a password or token'],
    [{ repository: 'https://tok@github.com/o/r' }, 'input.git.repository', 'must not hold a password or token'],
    [{ repository: 'https://github.com/o/r', branches: ['main', ''] }, 'input.git.branches[1]', 'is empty'],
    [{ repository: 'https://github.com/o/r', branches: ['!'] }, 'input.git.branches[0]', 'is empty'],
    [{ repository: 'https://github.com/o/r', tags: ['v 1'] }, 'input.git.tags[0]', 'without spaces'],
    [{ repository: 'https://github.com/o/r', tags: ['v*', 'v*'] }, 'input.git.tags[1]', 'listed twice'],
    [{ repository: 'https://github.com/o/r', events: ['MERGE'] }, 'input.git.events[0]', 'use PUSH or TAG'],
    [{ repository: 'https://github.com/o/r', webhookSecret: 'short' }, 'input.git.webhookSecret', '16 to 1024'],
  ])('refuses %j at its field', (input, field, message) => {
    const error = fault(() => validateGitSource(input, 'input.git'));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('allows ssh users (git@) but no token in an https URL', () => {
    expect(validateGitSource({ repository: 'ssh://git@github.com:22/o/r.git' }, 'g')?.repositoryKey).toBe(
      'github.com/o/r',
    );
  });
});

describe('the webhook secret', () => {
  it('is 16 to 1024 characters without surrounding spaces', () => {
    expect(validateWebhookSecret('0123456789abcdef', 's')).toBe('0123456789abcdef');
    expect(fault(() => validateWebhookSecret('x'.repeat(1025), 's')).message).toContain('got 1025');
    expect(fault(() => validateWebhookSecret(' 0123456789abcdef', 's')).message).toContain('spaces');
  });

  it('is read from the input only when given', () => {
    expect(webhookSecretOf({})).toBeUndefined();
    expect(webhookSecretOf({ git: { repository: 'r', webhookSecret: null } })).toBeUndefined();
    expect(webhookSecretOf({ git: { repository: 'r', webhookSecret: 's3cr3t-s3cr3t-s3' } })).toBe('s3cr3t-s3cr3t-s3');
  });
});
