import { describe, expect, it } from 'vitest';
import { admissionProblem, carriesAll } from './host-admission.js';

describe('host admission', () => {
  it('admits when nothing is checked or every threshold is met', () => {
    expect(admissionProblem({}, { freeMemoryMiB: 1, loadPerCpu: 99 })).toBeUndefined();
    expect(admissionProblem({ minFreeMemoryMiB: 512, maxLoadPerCpu: 2 }, { freeMemoryMiB: 512, loadPerCpu: 2 })).toBe(
      undefined,
    );
  });

  it('names each threshold the host is past', () => {
    expect(admissionProblem({ minFreeMemoryMiB: 512 }, { freeMemoryMiB: 300.7, loadPerCpu: 0 })).toBe(
      'free memory 300 MiB is under 512 MiB',
    );
    expect(
      admissionProblem({ minFreeMemoryMiB: 512, maxLoadPerCpu: 1.5 }, { freeMemoryMiB: 100, loadPerCpu: 2.25 }),
    ).toBe('free memory 100 MiB is under 512 MiB; load per CPU 2.25 is over 1.5');
  });
});

describe('queue tags', () => {
  it('are taken by an executor carrying them all', () => {
    expect(carriesAll(['gpu', 'arm64'], [])).toBe(true);
    expect(carriesAll(['gpu', 'arm64'], ['arm64', 'gpu'])).toBe(true);
    expect(carriesAll(['gpu'], ['arm64', 'gpu'])).toBe(false);
  });
});
