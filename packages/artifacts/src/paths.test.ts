import { describe, expect, it } from 'vitest';
import { checkJobRunId, isInside, normalizePattern, safeRelativePath } from './paths.js';

describe('normalizePattern', () => {
  it('keeps a plain glob', () => {
    expect(normalizePattern('dist/**/*.js')).toEqual({ pattern: 'dist/**/*.js', wholeFolder: false });
  });

  it('drops ./, empty segments and trailing slashes', () => {
    expect(normalizePattern(' ./dist// ')).toEqual({ pattern: 'dist', wholeFolder: false });
    expect(normalizePattern('a/./b/')).toEqual({ pattern: 'a/b', wholeFolder: false });
  });

  it('reads . as the whole work folder', () => {
    expect(normalizePattern('.')).toEqual({ pattern: '', wholeFolder: true });
    expect(normalizePattern('./')).toEqual({ pattern: '', wholeFolder: true });
  });

  it('refuses patterns reaching out of the work folder', () => {
    expect(normalizePattern('../secret')).toHaveProperty('error');
    expect(normalizePattern('a/../../b')).toHaveProperty('error');
    expect(normalizePattern('/etc/passwd')).toHaveProperty('error');
  });

  it('refuses empty and negated patterns', () => {
    expect(normalizePattern('  ')).toEqual({ error: 'empty pattern' });
    expect(normalizePattern('!dist')).toEqual({ error: 'negated patterns are not supported' });
  });

  it('does not mistake a brace range for ..', () => {
    expect(normalizePattern('log{1..3}.txt')).toEqual({ pattern: 'log{1..3}.txt', wholeFolder: false });
  });
});

describe('safeRelativePath', () => {
  it('accepts relative paths and normalizes them', () => {
    expect(safeRelativePath('dist/a.js')).toBe('dist/a.js');
    expect(safeRelativePath('./dist//a.js')).toBe('dist/a.js');
    expect(safeRelativePath('..hidden')).toBe('..hidden');
  });

  it('refuses .., absolute paths, backslashes and empty paths', () => {
    for (const path of ['../x', 'a/../../x', '..', '/etc/passwd', 'a\\..\\b', '', '.', 'a\0b']) {
      expect(safeRelativePath(path)).toBeUndefined();
    }
  });
});

describe('isInside', () => {
  it('tells inside from outside', () => {
    expect(isInside('/w', '/w')).toBe(true);
    expect(isInside('/w', '/w/a/b')).toBe(true);
    expect(isInside('/w', '/w/..a')).toBe(true);
    expect(isInside('/w', '/x')).toBe(false);
    expect(isInside('/w', '/w2/a')).toBe(false);
    expect(isInside('/w/a', '/w')).toBe(false);
  });
});

describe('checkJobRunId', () => {
  it('accepts ids and refuses path tricks', () => {
    expect(() => checkJobRunId('JR01ABC_x-1')).not.toThrow();
    for (const id of ['', '..', 'a/b', '.staging', 'a b'])
      expect(() => checkJobRunId(id)).toThrow(/invalid job run id/);
  });
});
