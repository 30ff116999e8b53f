import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lineText } from './line-text.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const raw = (...values: number[]) => Uint8Array.from(values);

describe('lineText', () => {
  it('keeps valid UTF-8 as it is, a BOM and control characters included', () => {
    const text = '\uFEFFhé € 😀 \x1b[31mred\x1b[0m\t!';
    expect(lineText(bytes(text), 1000)).toEqual({ text, usedBytes: bytes(text).length });
  });

  it('replaces NUL bytes', () => {
    expect(lineText(raw(0x61, 0x00, 0x62, 0x00), 100)).toEqual({ text: 'a\uFFFDb\uFFFD', usedBytes: 4 });
  });

  it('replaces invalid UTF-8 as TextDecoder does', () => {
    const samples = [
      raw(0xff, 0x61),
      raw(0xc3), // cut character at the end
      raw(0xe2, 0x82, 0x61), // cut character in the middle
      raw(0xc0, 0xaf), // overlong
      raw(0xed, 0xa0, 0x80), // surrogate
      raw(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
      raw(0xf0, 0x9f, 0x98), // 3 of the 4 bytes of an emoji
      raw(0x80, 0x80, 0xbf),
    ];
    const reference = new TextDecoder();
    for (const sample of samples) {
      expect(lineText(sample, 100)).toEqual({ text: reference.decode(sample), usedBytes: sample.length });
    }
  });

  it('matches TextDecoder on random bytes (with NUL replaced too)', () => {
    const reference = new TextDecoder();
    for (let i = 0; i < 50; i += 1) {
      const sample = randomBytes(200);
      const { text, usedBytes } = lineText(sample, 1000);
      expect(text).toBe(reference.decode(sample).replaceAll('\0', '\uFFFD'));
      expect(usedBytes).toBe(200);
    }
  });

  it('stays within maxBytes of UTF-8, cutting at a character, and says how much input it used', () => {
    expect(lineText(bytes('abcdef'), 4)).toEqual({ text: 'abcd', usedBytes: 4 });
    expect(lineText(bytes('a€€'), 5)).toEqual({ text: 'a€', usedBytes: 4 });
    // Three invalid bytes become nine bytes of replacements: only two fit in 7.
    expect(lineText(raw(0xff, 0xff, 0xff), 7)).toEqual({ text: '\uFFFD\uFFFD', usedBytes: 2 });
    const binary = randomBytes(64 * 1024);
    const { text, usedBytes } = lineText(binary, 64 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
    expect(usedBytes).toBeGreaterThan(0);
    expect(text).not.toContain('\0');
  });
});
