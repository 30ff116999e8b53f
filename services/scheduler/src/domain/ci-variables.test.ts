import { describe, expect, it } from 'vitest';
import { jobVariables, runVariables } from './ci-variables.js';

describe('GitLab predefined variables of a run and a job run', () => {
  it('names the source, the commit and the ref of a webhook push, a tag push and a manual trigger', () => {
    const commit = 'a'.repeat(40);
    expect(
      runVariables({ runId: 'PR1', trigger: 'webhook', git: { ref: 'refs/heads/main', refType: 'branch', commit } }),
    ).toEqual({
      CI: 'true',
      CI_PIPELINE_ID: 'PR1',
      CI_PIPELINE_SOURCE: 'push',
      CI_COMMIT_SHA: commit,
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_BRANCH: 'main',
    });
    const tag = runVariables({
      runId: 'PR2',
      trigger: 'webhook',
      git: { ref: 'refs/tags/v1', refType: 'tag', commit },
    });
    expect(tag).toMatchObject({ CI_COMMIT_TAG: 'v1', CI_COMMIT_REF_NAME: 'v1' });
    expect(tag).not.toHaveProperty('CI_COMMIT_BRANCH');
    expect(runVariables({ runId: 'PR3', trigger: 'manual', branch: 'dev' })).toMatchObject({
      CI_PIPELINE_SOURCE: 'web',
      CI_COMMIT_BRANCH: 'dev',
      CI_COMMIT_SHA: '',
    });
    expect(runVariables({ runId: 'PR4', trigger: 'schedule' })).toMatchObject({ CI_PIPELINE_SOURCE: 'schedule' });
    expect(runVariables({ runId: 'PR5', trigger: 'api' })).not.toHaveProperty('CI_COMMIT_BRANCH');
  });

  it("sets CI_DEFAULT_BRANCH from the installation's default branch, and leaves it unset without one", () => {
    const push = { ref: 'refs/heads/main', refType: 'branch' as const, commit: 'c'.repeat(40) };
    expect(runVariables({ runId: 'PR6', trigger: 'webhook', git: push, defaultBranch: 'main' })).toMatchObject({
      CI_COMMIT_BRANCH: 'main',
      CI_DEFAULT_BRANCH: 'main',
    });
    expect(runVariables({ runId: 'PR7', trigger: 'api', defaultBranch: 'trunk' })).toMatchObject({
      CI_DEFAULT_BRANCH: 'trunk',
    });
    expect(runVariables({ runId: 'PR8', trigger: 'api' })).not.toHaveProperty('CI_DEFAULT_BRANCH');
    expect(runVariables({ runId: 'PR9', trigger: 'api', defaultBranch: '' })).not.toHaveProperty('CI_DEFAULT_BRANCH');
  });

  it("numbers a matrix entry's cells 1..n as GitLab's parallel jobs, and names the job run", () => {
    expect(jobVariables({ name: 'test [A=1]', cellIndex: 2, cellCount: 3 })).toEqual({
      CI_JOB_NAME: 'test [A=1]',
      CI_NODE_INDEX: '2',
      CI_NODE_TOTAL: '3',
    });
    expect(jobVariables({ name: 'build', cellIndex: 1, cellCount: 1 })).toEqual({ CI_JOB_NAME: 'build' });
  });
});
