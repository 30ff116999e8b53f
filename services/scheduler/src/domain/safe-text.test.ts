import { describe, expect, it } from 'vitest';
import { outputText, shortText, storableText } from './safe-text.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

describe('storableText', () => {
  it('replaces NUL and lone surrogates, keeps everything else', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(storableText('tail\uD83D')).toBe('tail\uFFFD');
    expect(storableText('emoji 😀, é, 中文, \t\n')).toBe('emoji 😀, é, 中文, \t\n');
    expect(storableText('')).toBe('');
  });

  it('gives the same result when called twice in a row (no regex state is kept)', () => {
    expect(storableText('\u0000')).toBe('\uFFFD');
    expect(storableText('\u0000')).toBe('\uFFFD');
  });
});

describe('outputText', () => {
  it('decodes UTF-8, replaces invalid sequences and drops NUL bytes', () => {
    const output = bytes('before', [0x00], 'mid', [0xff, 0xfe], [0xc3], 'after é', [0x00]);
    expect(outputText(output)).toBe('beforemid\uFFFD\uFFFD\uFFFDafter é');
  });

  it('replaces a multi-byte character cut at the end (the executor cuts output by bytes)', () => {
    expect(outputText(bytes('ok ', [0xe2, 0x82]))).toBe('ok \uFFFD');
  });

  it('keeps a byte order mark and valid text as they are', () => {
    expect(outputText(bytes([0xef, 0xbb, 0xbf], 'x'))).toBe('\uFEFFx');
    expect(outputText(new Uint8Array())).toBe('');
  });

  it('handles a large binary output', () => {
    const random = new Uint8Array(100_000).map((_, i) => (i * 7919) % 256);
    const text = outputText(random);
    expect(text.includes('\u0000')).toBe(false);
    expect(storableText(text)).toBe(text);
  });
});

describe('shortText', () => {
  it('cuts long text with an ellipsis and makes it storable', () => {
    expect(shortText('abcdef', 4)).toBe('abc…');
    expect(shortText('ab\u0000', 10)).toBe('ab\uFFFD');
    expect(shortText('abc', 3)).toBe('abc');
  });

  it('never leaves half a surrogate pair at the cut', () => {
    expect(shortText('a😀b', 3)).toBe('a…');
  });
});
