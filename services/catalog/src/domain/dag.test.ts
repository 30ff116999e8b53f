import { describe, expect, it } from 'vitest';
import { findCycle } from './dag.js';

const graph = (edges: Record<string, string[]>) => [Object.keys(edges), new Map(Object.entries(edges))] as const;

describe('findCycle', () => {
  it('finds none in a DAG', () => {
    expect(findCycle(...graph({ a: [], b: ['a'], c: ['a', 'b'], d: ['c', 'a'] }))).toBeUndefined();
  });

  it('returns the cycle as a closed path', () => {
    expect(findCycle(...graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('returns only the looping part of the path', () => {
    expect(findCycle(...graph({ x: ['a'], a: ['b'], b: ['a'] }))).toEqual(['a', 'b', 'a']);
  });

  it('finds a self loop', () => {
    expect(findCycle(...graph({ a: ['a'] }))).toEqual(['a', 'a']);
  });
});
