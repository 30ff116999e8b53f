import { describe, expect, it } from 'vitest';
import { WrittenLabels, type RunLabels } from './run-labels.js';

const run = (jobRunId: string, jobName = 'build'): RunLabels => ({
  jobRunId,
  pipelineRunId: 'R1',
  pipelineId: 'P1',
  jobId: 'J1',
  jobName,
});

describe('WrittenLabels', () => {
  it('names the labels not written yet, or written with other values', () => {
    const written = new WrittenLabels();
    expect(written.missing([run('A'), run('B')])).toEqual([run('A'), run('B')]);
    written.add([run('A')]);
    expect(written.missing([run('A'), run('B')])).toEqual([run('B')]);
    expect(written.missing([run('A', 'renamed')])).toEqual([run('A', 'renamed')]);
    written.clear();
    expect(written.missing([run('A')])).toEqual([run('A')]);
  });

  it('forgets the oldest past its capacity, keeping those written again', () => {
    const written = new WrittenLabels(2);
    written.add([run('A'), run('B')]);
    written.add([run('A')]);
    written.add([run('C')]);
    expect(written.missing([run('A'), run('B'), run('C')])).toEqual([run('B')]);
  });
});
