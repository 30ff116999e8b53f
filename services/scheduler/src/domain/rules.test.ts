import { describe, expect, it } from 'vitest';
import { planRun, type SnapshotShape } from './plan.js';
import { applyRules, decideRules } from './rules.js';

const job = { jobId: 'J1', name: 'deploy', allowFailure: false, maxAttempts: 1 };

function planned(rules: { condition: string; when: string; allowFailure?: boolean }[]) {
  const snapshot: SnapshotShape = { stages: [{ name: 's', entries: [{ job, needs: [], rules }] }] };
  return planRun(snapshot)[0]!;
}

describe('GitLab rules decided when a run is created', () => {
  const main = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main' };

  it('takes the first rule that holds: its when and allowFailure', () => {
    const plan = planned([
      { condition: '$CI_COMMIT_TAG', when: 'never' },
      { condition: '$CI_COMMIT_BRANCH == "main"', when: 'always', allowFailure: true },
      { condition: '', when: 'on_failure' },
    ]);
    expect(applyRules(plan, main)).toEqual({ when: 'always', allowFailure: true });
    expect(applyRules(plan, { CI_COMMIT_BRANCH: 'dev' })).toEqual({ when: 'on_failure', allowFailure: false });
    expect(applyRules(plan, { CI_COMMIT_TAG: 'v1' })).toEqual({
      when: 'on_success',
      allowFailure: false,
      skipped: 'rules: rule 1 says when: never',
    });
  });

  it('skips the job run when no rule holds, and leaves entries without rules alone', () => {
    const plan = planned([{ condition: '$CI_PIPELINE_SOURCE == "schedule"', when: '' }]);
    expect(applyRules(plan, main).skipped).toBe('rules: no rule holds for this run');
    const free = planned([]);
    expect(decideRules([free], () => main)).toEqual([free]);
  });
});
