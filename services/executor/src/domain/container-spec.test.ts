import { describe, expect, it } from 'vitest';
import { containerOptions } from './container-options.js';
import { containerSpec, type ContainerTask } from './container-spec.js';

const task: ContainerTask = {
  jobRunId: 'JR1',
  pipelineRunId: 'PR1',
  attempt: 1,
  jobId: 'J1',
  command: 'make test',
  image: 'gcc:14',
  container: containerOptions(undefined),
  env: { CC: 'gcc', FLUXI_ATTEMPT: 'spoofed' },
  workdir: '/data/work/JR1',
};
const settings = { network: 'none', executor: { name: 'b1', instance: 'box:1/x' } };

describe('containerSpec', () => {
  it('runs the command through the image shell in the mounted work folder, with the job env and FLUXI_* winning', () => {
    const spec = containerSpec(task, settings);
    expect(spec).toMatchObject({
      Image: 'gcc:14',
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['make test'],
      WorkingDir: '/data/work/JR1',
      Tty: false,
      HostConfig: {
        Mounts: [{ Type: 'bind', Source: '/data/work/JR1', Target: '/data/work/JR1' }],
        NetworkMode: 'none',
        AutoRemove: false,
      },
    });
    expect(spec.Env).toEqual([
      'CC=gcc',
      'FLUXI_ATTEMPT=1',
      'FLUXI_JOB_RUN_ID=JR1',
      'FLUXI_PIPELINE_RUN_ID=PR1',
      // GitLab's names for the same things.
      'CI=true',
      'CI_JOB_ID=JR1',
      'CI_PIPELINE_ID=PR1',
      'CI_PROJECT_DIR=/data/work/JR1',
    ]);
    expect(spec.Labels['fluxi.job']).toBe('J1');
    expect(spec.HostConfig).not.toHaveProperty('Memory');
    expect(spec.HostConfig).not.toHaveProperty('NanoCpus');
  });

  it('sets CPU and memory limits, without swap past the memory limit', () => {
    const limited = { ...task, container: { ...task.container, cpus: 1.5, memoryMib: 16 } };
    expect(containerSpec(limited, settings).HostConfig).toMatchObject({
      NanoCpus: 1_500_000_000,
      Memory: 16 * 1024 * 1024,
      MemorySwap: 16 * 1024 * 1024,
    });
  });

  it("puts the command last after the job's entrypoint; without a command it runs the image's default", () => {
    const own = { ...task, container: { ...task.container, entrypoint: ['/bin/bash', '-lc'] } };
    expect(containerSpec(own, settings)).toMatchObject({ Entrypoint: ['/bin/bash', '-lc'], Cmd: ['make test'] });
    const bare = containerSpec({ ...task, command: '' }, settings);
    expect(bare).not.toHaveProperty('Entrypoint');
    expect(bare).not.toHaveProperty('Cmd');
  });
});
