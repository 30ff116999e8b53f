import { describe, expect, it } from 'vitest';
import { cut, MAX_LOGGED_STRING, safeError, safeLogValue } from './log-safety.js';

describe('what reaches a log line', () => {
  it('keeps an error to its type, message, safe fields and stack', () => {
    const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      detail: 'Key (output)=(secret job output) already exists',
      parameters: ['secret job output'],
      query: 'INSERT INTO contexts VALUES ($1)',
    });
    const logged = JSON.stringify(safeError(error));
    expect(logged).toContain('invalid byte sequence');
    expect(logged).toContain('22021');
    expect(logged).toContain('log-safety.test.ts');
    expect(logged).not.toContain('secret job output');
    expect(logged).not.toContain('INSERT INTO');
  });

  it('cuts a long message and the stack does not repeat it', () => {
    const error = new Error(`failed: ${'x'.repeat(100_000)}`);
    const logged = JSON.stringify(safeError(error));
    expect(logged.length).toBeLessThan(MAX_LOGGED_STRING + 5000);
    expect(logged).toMatch(/more characters/);
  });

  it('cuts long strings, deep nesting and long lists in any field', () => {
    const value = safeLogValue({
      output: 'y'.repeat(1_000_000),
      deep: { a: { b: { c: { d: { e: 'hidden' } } } } },
      list: Array.from({ length: 1000 }, (_, i) => i),
      bytes: new Uint8Array(500),
    });
    const logged = JSON.stringify(value);
    expect(logged.length).toBeLessThan(10_000);
    expect(logged).not.toContain('hidden');
    expect(logged).toContain('[500 bytes]');
    expect((value['list'] as unknown[]).length).toBe(51);
  });

  it('leaves short strings alone', () => {
    expect(cut('short')).toBe('short');
  });
});
