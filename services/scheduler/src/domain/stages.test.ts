import { describe, expect, it } from 'vitest';
import { stageRuns } from './stages.js';
import type { RunStatus } from './status.js';

const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
const jr = (
  stageIndex: number,
  status: RunStatus,
  startedAt: Date | null,
  endedAt: Date | null,
  allowFailure = false,
) => ({
  stageIndex,
  stageName: `s${stageIndex}`,
  status,
  allowFailure,
  startedAt,
  endedAt,
});

describe('stageRuns', () => {
  it('gives each stage a status and its first start and last end', () => {
    const stages = stageRuns([
      jr(0, 'SUCCESS', t(1), t(3)),
      jr(0, 'FAILED', t(2), t(5), true),
      jr(1, 'RUNNING', t(6), null),
      jr(1, 'SUCCESS', t(6), t(7)),
      jr(2, 'PENDING', null, null),
    ]);
    expect(stages).toEqual([
      { index: 0, name: 's0', status: 'SUCCESS', startedAt: t(1), endedAt: t(5) },
      { index: 1, name: 's1', status: 'RUNNING', startedAt: t(6), endedAt: null },
      { index: 2, name: 's2', status: 'PENDING', startedAt: null, endedAt: null },
    ]);
  });

  it('fails on a blocking failure, and is skipped when all its job runs were', () => {
    const stages = stageRuns([
      jr(0, 'FAILED', t(1), t(2)),
      jr(1, 'SKIPPED', null, t(2)),
      jr(2, 'CANCELLED', t(1), t(3)),
    ]);
    expect(stages.map((s) => s.status)).toEqual(['FAILED', 'SKIPPED', 'CANCELLED']);
  });
});
