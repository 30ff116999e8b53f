import { describe, expect, it } from 'vitest';
import { jobRunVariables, PIPELINE_VARIABLE_LIMITS, pipelineVariablesOf } from './pipeline-variables.js';
import { planRun } from './plan.js';
import { applyRules } from './rules.js';

const planned = (rules: { condition: string; when: string }[]) =>
  planRun({
    stages: [
      {
        name: 's',
        entries: [{ job: { jobId: 'J1', name: 'deploy', allowFailure: false, maxAttempts: 1 }, needs: [], rules }],
      },
    ],
  })[0]!;

const refused = (input: { name: string; value: string }[]) => {
  try {
    pipelineVariablesOf(input, 'options.variables');
  } catch (error) {
    return { message: (error as Error).message, field: (error as { field?: string }).field };
  }
  return undefined;
};

describe('pipeline variables given at trigger time', () => {
  it('keys valid variables by name; none given is no variable', () => {
    expect(
      pipelineVariablesOf([
        { name: 'DEPLOY_ENV', value: 'prod' },
        { name: '_x1', value: '' },
      ]),
    ).toEqual({
      DEPLOY_ENV: 'prod',
      _x1: '',
    });
    expect(pipelineVariablesOf(undefined)).toEqual({});
    expect(pipelineVariablesOf(null)).toEqual({});
  });

  it('refuses names that are not shell names, FLUXI_* names, a name twice, too many or too big', () => {
    expect(refused([{ name: 'MY-VAR', value: 'a' }])).toMatchObject({ field: 'options.variables[0].name' });
    expect(refused([{ name: '1A', value: 'a' }])?.message).toContain('is not a variable name');
    expect(refused([{ name: '', value: 'a' }])).toBeDefined();
    expect(refused([{ name: 'FLUXI_ATTEMPT', value: '9' }])?.message).toContain("Fluxi's own");
    expect(
      refused([
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ]),
    ).toMatchObject({ message: 'options.variables[1].name: A is given twice' });
    const many = Array.from({ length: PIPELINE_VARIABLE_LIMITS.count + 1 }, (_, i) => ({ name: `V${i}`, value: '' }));
    expect(refused(many)?.message).toContain('at most 50 variables');
    const big = 'x'.repeat(PIPELINE_VARIABLE_LIMITS.valueBytes + 1);
    expect(refused([{ name: 'BIG', value: big }])).toMatchObject({ field: 'options.variables[0].value' });
    const large = Array.from({ length: 7 }, (_, i) => ({ name: `L${i}`, value: 'y'.repeat(10_000) }));
    expect(refused(large)?.message).toContain('bytes in all');
    expect(refused([{ name: 'N'.repeat(PIPELINE_VARIABLE_LIMITS.nameLength + 1), value: '' }])).toBeDefined();
  });

  it('win over the job env and the predefined variables (GitLab precedence); the matrix cell wins over them', () => {
    const env = jobRunVariables({
      run: { CI_PIPELINE_SOURCE: 'api', CI_COMMIT_BRANCH: 'dev' },
      jobRun: { CI_JOB_NAME: 'deploy' },
      jobEnv: { TARGET: 'staging', KEEP: 'job' },
      pipeline: { TARGET: 'prod', CI_COMMIT_BRANCH: 'main', OS: 'bsd' },
      matrix: [{ name: 'OS', value: 'linux' }],
    });
    expect(env).toEqual({
      CI_PIPELINE_SOURCE: 'api',
      CI_COMMIT_BRANCH: 'main',
      CI_JOB_NAME: 'deploy',
      TARGET: 'prod',
      KEEP: 'job',
      OS: 'linux',
    });
  });

  it('are seen by rules: a rule over a pipeline variable holds only when the trigger gives it', () => {
    const plan = planned([{ condition: '$DEPLOY_ENV == "prod"', when: 'manual' }]);
    const variables = (pipeline: Record<string, string>) =>
      jobRunVariables({ run: {}, jobRun: {}, jobEnv: { DEPLOY_ENV: 'dev' }, pipeline, matrix: [] });
    expect(applyRules(plan, variables({ DEPLOY_ENV: 'prod' }))).toMatchObject({ when: 'manual' });
    expect(applyRules(plan, variables({})).skipped).toBe('rules: no rule holds for this run');
  });
});
