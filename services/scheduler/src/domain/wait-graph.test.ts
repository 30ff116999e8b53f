import { describe, expect, it } from 'vitest';
import { jr } from './job-run.fixture.js';
import type { JobRunState } from './model.js';
import { waitsFor } from './readiness.js';
import { WaitGraph } from './wait-graph.js';

/** The closure as it was computed before the graph: depth first over waitsFor, nothing cached. */
function naiveUpstream(jobRun: JobRunState, all: readonly JobRunState[]): string[] {
  const seen = new Map<string, JobRunState>();
  const stack = waitsFor(jobRun, all);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next.id)) continue;
    seen.set(next.id, next);
    stack.push(...waitsFor(next, all));
  }
  return [...seen.keys()];
}

/** A deterministic pseudo-random run: stages, some entries with needs (on earlier or same-stage entries), some starting at once. */
function randomRun(seed: number, size: number): JobRunState[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const jobRuns: JobRunState[] = [];
  for (let i = 0; i < size; i++) {
    const stage = Math.floor(next() * 6);
    const needs =
      next() < 0.4 && jobRuns.length > 0
        ? Array.from({ length: 1 + Math.floor(next() * 3) }, () => jobRuns[Math.floor(next() * jobRuns.length)]!.entry)
        : [];
    jobRuns.push(jr(`e${i % Math.max(1, size - 3)}`, stage, 'PENDING', { needs, startAtOnce: next() < 0.1 }));
  }
  return jobRuns.map((jobRun, i) => ({ ...jobRun, id: `JR${i}` }));
}

/**
 * A pseudo-random valid plan (no cycle): stages in order, entries of one or two job runs
 * (matrix cells), needs only on entries listed before.
 */
function randomDag(seed: number, size: number): JobRunState[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: size }, (_, i) => {
    const pair = Math.floor(i / 2);
    const needs =
      pair > 0 && next() < 0.5
        ? Array.from({ length: 1 + Math.floor(next() * 3) }, () => `e${Math.floor(next() * pair)}`)
        : [];
    return { ...jr(`e${pair}`, Math.floor(i / 5), 'PENDING', { needs, startAtOnce: next() < 0.1 }), id: `JR${i}` };
  });
}

describe('WaitGraph', () => {
  it('finds what waitsFor finds and the same closure, in the same order, as the uncached walk', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const all = randomRun(seed, 25);
      const graph = new WaitGraph(all);
      all.forEach((jobRun, index) => {
        expect(graph.waitsFor(index).map((p) => all[p]!.id)).toEqual(waitsFor(jobRun, all).map((o) => o.id));
        expect(graph.upstreamOf(index).map((p) => all[p]!.id)).toEqual(naiveUpstream(jobRun, all));
      });
    }
  });

  it('finds the first matching job run upstream, as the uncached walk finds it, with its memo', () => {
    const statuses = ['SUCCESS', 'FAILED', 'CANCELLED', 'PENDING', 'MANUAL'] as const;
    for (let seed = 1; seed <= 40; seed++) {
      const all = randomDag(seed, 30).map((jobRun, i) => ({
        ...jobRun,
        status: statuses[(i * seed) % 5] ?? 'PENDING',
      }));
      const graph = new WaitGraph(all);
      for (const status of ['FAILED', 'CANCELLED', 'MANUAL']) {
        const memo = new Map<number, number | null>();
        all.forEach((jobRun, index) => {
          const found = graph.firstUpstream(index, (p) => all[p]!.status === status, memo);
          const expected = naiveUpstream(jobRun, all).find((id) => all.find((o) => o.id === id)!.status === status);
          expect(found === undefined ? undefined : all[found]!.id).toBe(expected);
        });
      }
    }
  });

  it('gives a job run of a stage chain every earlier stage, and one with needs its needs transitively', () => {
    const chain = Array.from({ length: 5 }, (_, i) => jr(`s${i}`, i, 'PENDING'));
    expect(new WaitGraph(chain).upstreamOf(4)).toEqual([3, 2, 1, 0]);
    const dag = [
      jr('a', 0, 'PENDING'),
      jr('b', 0, 'PENDING', { needs: ['a'] }),
      jr('c', 0, 'PENDING', { needs: ['b'] }),
    ];
    expect(new WaitGraph(dag).upstreamOf(2)).toEqual([1, 0]);
    expect(new WaitGraph(dag).waitsFor(0)).toEqual([]);
  });
});
