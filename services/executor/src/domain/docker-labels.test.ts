import { describe, expect, it } from 'vitest';
import { LABELS, attemptOfLabels, containerLabels, instanceId, keptName, leftoverKind } from './docker-labels.js';

const me = { name: 'builder-1', instance: instanceId('box:100', 'aaaa') };
const self = { host: 'box', pid: 100, alive: (pid: number) => pid === 100 || pid === 200 };
const ref = { jobRunId: 'JR1', pipelineRunId: 'PR1', attempt: 2 };

describe('container labels', () => {
  it('name the job run, attempt, pipeline run, job and executor, and read back as the attempt', () => {
    const labels = containerLabels({ ...ref, jobId: 'J1' }, me);
    expect(labels).toEqual({
      'fluxi.job-run': 'JR1',
      'fluxi.attempt': '2',
      'fluxi.pipeline-run': 'PR1',
      'fluxi.job': 'J1',
      'fluxi.executor': 'builder-1',
      'fluxi.executor-instance': 'box:100/aaaa',
    });
    expect(attemptOfLabels(labels)).toEqual(ref);
  });

  it('name no attempt when a label is missing or malformed', () => {
    const labels = containerLabels({ ...ref, jobId: 'J1' }, me);
    expect(attemptOfLabels({ ...labels, [LABELS.attempt]: '0' })).toBeUndefined();
    expect(attemptOfLabels({ ...labels, [LABELS.jobRun]: 'a b' })).toBeUndefined();
    expect(attemptOfLabels({})).toBeUndefined();
  });
});

describe('leftoverKind', () => {
  const labelled = (instance: string, names = ['/eager_turing']) => ({
    labels: { [LABELS.executor]: 'builder-1', [LABELS.instance]: instance },
    names,
  });

  it('tells its own containers, kept ones and those of a live sibling from orphans', () => {
    expect(leftoverKind(labelled(me.instance), me, self)).toBe('own');
    expect(leftoverKind(labelled('box:55/bbbb', [`/${keptName(ref, 'c0ffee123456789')}`]), me, self)).toBe('kept');
    expect(leftoverKind(labelled('box:200/cccc'), me, self)).toBe('sibling');
  });

  it('takes a container of an earlier life for an orphan: dead pid, same pid after a restart, another host, no label', () => {
    expect(leftoverKind(labelled('box:55/dddd'), me, self)).toBe('orphan');
    expect(leftoverKind(labelled('box:100/eeee'), me, self)).toBe('orphan');
    expect(leftoverKind(labelled('other:200/ffff'), me, self)).toBe('orphan');
    expect(leftoverKind(labelled(''), me, self)).toBe('orphan');
  });

  it('gives kept containers a name of their own', () => {
    expect(keptName(ref, 'c0ffee1234567890')).toBe('fluxi-kept-JR1-2-c0ffee123456');
  });
});
