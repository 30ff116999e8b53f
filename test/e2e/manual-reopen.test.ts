import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { waitFor } from '@fluxi/testkit';
import { expect, it } from 'vitest';
import { firstError } from './client.js';
import { describeOnBothStores } from './fixture.js';
import type { RunView } from './fluxi-api.js';

const CREATE = `mutation ($input: PipelineInput!) { createPipeline(input: $input) { id } }`;
const TRIGGER = `mutation ($id: ID!, $options: TriggerOptions) { triggerPipeline(id: $id, options: $options) { id waiting } }`;
const PLAY = `mutation ($id: ID!) { playJobRun(id: $id) { status } }`;
const CONTEXT = `query ($name: String!) { context(name: $name) { pipelineRunId } }`;

/**
 * Issue 13: a run reopened by playing a manual job run enters its concurrency group again
 * (refused while another run of the group is open; what triggers meanwhile waits behind it),
 * and its second end does not replace the pipeline context a newer run wrote.
 */
describeOnBothStores('a run reopened by a played manual job run', (fluxi) => {
  it('enters its concurrency group again and leaves a newer run its pipeline context', async () => {
    const gate = (name: string) => join(fluxi.scratch, name);
    // build waits for the file GATE names when the trigger gives one; deploy always waits for its own.
    const build = await fluxi.api.createJob({
      name: 'reopen-build',
      command: 'if [ -n "$GATE" ]; then while [ ! -f "$GATE" ]; do sleep 0.05; done; fi; echo built',
    });
    const deploy = await fluxi.api.createJob({
      name: 'reopen-deploy',
      command: `while [ ! -f '${gate('deploy-gate')}' ]; do sleep 0.05; done; echo deployed`,
    });
    const { createPipeline } = await fluxi.api.gql.request<{ createPipeline: { id: string } }>(CREATE, {
      input: {
        name: 'reopen',
        concurrency: { group: 'reopen-group' },
        stages: [
          { name: 'build', entries: [{ jobId: build }] },
          { name: 'deploy', entries: [{ jobId: deploy, when: 'MANUAL', allowFailure: true }] },
        ],
      },
    });
    const trigger = async (hold?: string) =>
      (
        await fluxi.api.gql.request<{ triggerPipeline: { id: string; waiting: boolean } }>(TRIGGER, {
          id: createPipeline.id,
          options: hold === undefined ? null : { variables: [{ name: 'GATE', value: gate(hold) }] },
        })
      ).triggerPipeline;
    const contextRun = async () =>
      (await fluxi.api.gql.request<{ context: { pipelineRunId: string } }>(CONTEXT, { name: 'reopen' })).context
        .pipelineRunId;
    const jobRun = (run: RunView, name: string) => run.jobRuns.find((j) => j.name === name)!;

    // Run 1 ends SUCCESS with its manual deploy not played.
    const first = await fluxi.api.ended((await trigger()).id);
    expect(first.status).toBe('SUCCESS');
    expect(jobRun(first, 'reopen-deploy').status).toBe('MANUAL');
    expect(await contextRun()).toBe(first.id);

    // Run 2 holds the group: playing run 1's deploy is refused while it is open.
    const second = await trigger('build-2');
    expect(second.waiting).toBe(false);
    await fluxi.api.jobRunIn(second.id, 'reopen-build', 'RUNNING');
    const refused = await firstError(fluxi.api.gql.request(PLAY, { id: jobRun(first, 'reopen-deploy').id }));
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect(refused.message).toContain(`run ${second.id} of its concurrency group reopen-group is open`);
    expect((await fluxi.api.run(first.id)).status).toBe('SUCCESS');
    writeFileSync(gate('build-2'), '');
    expect((await fluxi.api.ended(second.id)).status).toBe('SUCCESS');
    expect(await contextRun()).toBe(second.id);

    // The group is free: run 1 opens again and holds it; a new run waits behind it.
    await fluxi.api.gql.request(PLAY, { id: jobRun(first, 'reopen-deploy').id });
    expect((await fluxi.api.run(first.id)).status).toBe('RUNNING');
    const third = await trigger('build-3');
    expect(third.waiting).toBe(true);
    writeFileSync(gate('deploy-gate'), '');
    const reopened = await fluxi.api.ended(first.id);
    expect(reopened.status).toBe('SUCCESS');
    expect(jobRun(reopened, 'reopen-deploy').status).toBe('SUCCESS');
    // Run 1's second end leaves run 2's context, and lets run 3 in (held by its build).
    await fluxi.api.jobRunIn(third.id, 'reopen-build', 'RUNNING');
    expect(await contextRun()).toBe(second.id);
    writeFileSync(gate('build-3'), '');
    expect((await fluxi.api.ended(third.id)).status).toBe('SUCCESS');
    expect(await contextRun()).toBe(third.id);
  });

  it('counts a run blocked by a manual job as active and pending in the metrics', async () => {
    const deploy = await fluxi.api.createJob({ name: 'blocked-deploy', command: 'echo deployed' });
    const { createPipeline } = await fluxi.api.gql.request<{ createPipeline: { id: string } }>(CREATE, {
      input: { name: 'blocked', stages: [{ name: 'deploy', entries: [{ jobId: deploy, when: 'MANUAL' }] }] },
    });
    const { triggerPipeline } = await fluxi.api.gql.request<{ triggerPipeline: { id: string } }>(TRIGGER, {
      id: createPipeline.id,
    });
    await waitFor(async () => (await fluxi.api.run(triggerPipeline.id)).status === 'MANUAL' || undefined, {
      what: 'the run blocked by its manual job',
    });
    const metrics = await (await fetch(`${fluxi.system.url as string}/metrics`)).text();
    const pending = metrics.match(/^fluxi_cicd_pipeline_run_active\{[^}]*state="pending"[^}]*\} (\d+)/m);
    expect(Number(pending?.[1])).toBeGreaterThanOrEqual(1);
  });
});
