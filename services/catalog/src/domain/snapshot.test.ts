import { describe, expect, it } from 'vitest';
import { ContractVersion } from '@fluxi/contracts';
import type { Job } from './job.js';
import type { Pipeline } from './pipeline.js';
import { buildSnapshot, jobSpec } from './snapshot.js';

const at = new Date('2026-01-01T00:00:00Z');
const job = (id: string, name: string, extra: Partial<Job> = {}): Job => ({
  id,
  name,
  command: `run ${name}`,
  image: null,
  env: [],
  workdir: null,
  timeoutSec: null,
  maxAttempts: 1,
  allowFailure: false,
  createdAt: at,
  updatedAt: at,
  ...extra,
});

describe('snapshots', () => {
  it('turn a job into a JobSpec, empty values standing for none', () => {
    const spec = jobSpec(
      job('J1', 'build', { image: 'node:20', env: [{ name: 'A', value: '1' }], timeoutSec: 60, maxAttempts: 3 }),
    );
    expect(spec).toMatchObject({
      jobId: 'J1',
      name: 'build',
      image: 'node:20',
      env: { A: '1' },
      workdir: '',
      timeoutSec: 60,
      maxAttempts: 3,
    });
    expect(jobSpec(job('J2', 'x'))).toMatchObject({ image: '', timeoutSec: 0 });
  });

  it('carry the entry name beside each JobSpec so needs resolve by entry name', () => {
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      createdAt: at,
      updatedAt: at,
      stages: [
        { name: 'build', entries: [{ name: 'build-arm', jobId: 'J1', needs: [] }] },
        { name: 'test', entries: [{ name: 'test', jobId: 'J2', needs: ['build-arm'] }] },
      ],
    };
    const snapshot = buildSnapshot(
      pipeline,
      new Map([
        ['J1', job('J1', 'build')],
        ['J2', job('J2', 'test')],
      ]),
    );
    expect(snapshot.version).toBe(ContractVersion.CONTRACT_VERSION_1);
    expect(snapshot.stages.map((s) => s.entries.map((e) => [e.name, e.job?.name, e.job?.jobId, e.needs]))).toEqual([
      [['build-arm', 'build', 'J1', []]],
      [['test', 'test', 'J2', ['build-arm']]],
    ]);
  });

  it('fail loudly when a job is missing', () => {
    const pipeline: Pipeline = {
      id: 'P1',
      name: 'ci',
      description: null,
      createdAt: at,
      updatedAt: at,
      stages: [{ name: 's', entries: [{ name: 'a', jobId: 'J9', needs: [] }] }],
    };
    expect(() => buildSnapshot(pipeline, new Map())).toThrow(/J9/);
  });
});
