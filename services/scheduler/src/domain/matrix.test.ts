import { describe, expect, it } from 'vitest';
import { cellName, expandMatrix } from './matrix.js';

describe('expandMatrix', () => {
  it('gives every combination, first axis slowest', () => {
    const cells = expandMatrix([
      { name: 'node', values: ['18', '20'] },
      { name: 'os', values: ['linux', 'alpine'] },
    ]);
    expect(cells.map((cell) => cellName('test', cell))).toEqual([
      'test [node=18, os=linux]',
      'test [node=18, os=alpine]',
      'test [node=20, os=linux]',
      'test [node=20, os=alpine]',
    ]);
  });

  it('is one cell without values when there is no matrix', () => {
    expect(expandMatrix([])).toEqual([[]]);
    expect(cellName('build', [])).toBe('build');
  });
});
