import { describe, expect, it } from 'vitest';
import { validateJob, type JobInput } from '../job.js';
import { validatePipeline, type PipelineInput } from '../pipeline.js';
import { validateSchedule } from '../schedule.js';
import type { NamedDefinitions } from './definitions.js';
import { planChanges } from './plan.js';

const JOBS = new Map([
  ['build', 'build'],
  ['test', 'test'],
]);

function definitions(jobs: JobInput[], pipelines: PipelineInput[] = [], cron = '@daily'): NamedDefinitions {
  return {
    jobs: new Map(jobs.map((input) => [input.name as string, validateJob(input)])),
    pipelines: new Map(pipelines.map((input) => [input.name as string, validatePipeline(input, JOBS)])),
    schedules: new Map(
      pipelines.length === 0 ? [] : [['nightly', validateSchedule({ name: 'nightly', pipelineId: 'ci', cron })]],
    ),
  };
}

const ci: PipelineInput = { name: 'ci', stages: [{ name: 's', entries: [{ jobId: 'build' }] }] };

describe('planChanges', () => {
  it('creates what is missing and leaves equal definitions unchanged', () => {
    const current = definitions([{ name: 'build', command: 'make' }]);
    const desired = definitions(
      [
        { name: 'build', command: 'make', maxAttempts: 1 },
        { name: 'test', command: 't' },
      ],
      [ci],
    );
    expect(planChanges(desired, current)).toEqual([
      { kind: 'job', name: 'build', action: 'unchanged', fields: [] },
      { kind: 'job', name: 'test', action: 'create', fields: [] },
      { kind: 'pipeline', name: 'ci', action: 'create', fields: [] },
      { kind: 'schedule', name: 'nightly', action: 'create', fields: [] },
    ]);
  });

  it('lists the changed fields of an update in file order, defaults going either way', () => {
    const current = definitions([{ name: 'build', command: 'make', image: 'gcc', maxAttempts: 2 }], [ci]);
    const desired = definitions(
      [{ name: 'build', command: 'make all', retry: { delaySec: 1 }, maxAttempts: 2 }],
      [{ ...ci, timeoutSec: 60, stages: [{ name: 's', entries: [{ jobId: 'build', when: 'ALWAYS' }] }] }],
      '@hourly',
    );
    expect(planChanges(desired, current)).toEqual([
      { kind: 'job', name: 'build', action: 'update', fields: ['command', 'image', 'retry'] },
      { kind: 'pipeline', name: 'ci', action: 'update', fields: ['timeoutSec', 'stages'] },
      { kind: 'schedule', name: 'nightly', action: 'update', fields: ['cron'] },
    ]);
  });

  it('leaves definitions the file does not mention out of the plan', () => {
    const current = definitions(
      [
        { name: 'build', command: 'make' },
        { name: 'test', command: 't' },
      ],
      [ci],
    );
    expect(planChanges(definitions([{ name: 'test', command: 't' }]), current)).toEqual([
      { kind: 'job', name: 'test', action: 'unchanged', fields: [] },
    ]);
  });
});
