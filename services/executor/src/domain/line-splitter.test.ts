import { describe, expect, it } from 'vitest';
import { LineSplitter, utf8SafeEnd } from './line-splitter.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('LineSplitter', () => {
  it('splits on \\n and keeps the partial line for later', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('one\ntw'))).toEqual(['one']);
    expect(splitter.push(bytes('o\nthree'))).toEqual(['two']);
    expect(splitter.end()).toEqual(['three']);
    expect(splitter.end()).toEqual([]);
  });

  it('removes the \\r of \\r\\n, also when split across chunks, and keeps empty lines', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('a\r'))).toEqual([]);
    expect(splitter.push(bytes('\n\nb\r\n'))).toEqual(['a', '', 'b']);
    expect(splitter.end()).toEqual([]);
  });

  it('keeps a lone \\r inside a line', () => {
    expect(new LineSplitter().push(bytes('50%\r100%\n'))).toEqual(['50%\r100%']);
  });

  it('does not cut a multi-byte character split across chunks', () => {
    const splitter = new LineSplitter();
    const euro = bytes('€\n');
    expect(splitter.push(euro.subarray(0, 1))).toEqual([]);
    expect(splitter.push(euro.subarray(1))).toEqual(['€']);
  });

  it('splits a long line into lines of at most the cap, nothing dropped', () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push(bytes('0123456789abcdef\nnext\n'))).toEqual(['0123456789', 'abcdef', 'next']);
    expect(new LineSplitter(4).push(bytes('abcdefgh\n'))).toEqual(['abcd', 'efgh']);
  });

  it('splits a line that arrives in many chunks without a newline, memory bounded', () => {
    const splitter = new LineSplitter(8);
    const lines: string[] = [];
    for (let i = 0; i < 1000; i += 1) lines.push(...splitter.push(bytes('xxxx')));
    lines.push(...splitter.push(bytes('\r\n')));
    expect(lines).toEqual(Array.from({ length: 500 }, () => 'xxxxxxxx'));
    expect(splitter.end()).toEqual([]);
  });

  it('drops the \r of a \r\n that falls just past a piece', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(bytes('abcd\r'))).toEqual([]);
    expect(splitter.push(bytes('\nx\n'))).toEqual(['abcd', 'x']);
    expect(new LineSplitter(4).push(bytes('abcdefgh\r\n'))).toEqual(['abcd', 'efgh']);
  });

  it('splits a long line at a character boundary', () => {
    const splitter = new LineSplitter(4);
    // 'a' + '€' (3 bytes) + '€': the cap falls inside the second euro sign.
    expect(splitter.end()).toEqual([]);
    expect(splitter.push(bytes('a€€\n'))).toEqual(['a€', '€']);
    const cut = new LineSplitter(3);
    expect(cut.push(bytes('a€\n'))).toEqual(['a', '€']);
  });

  it('splits the last line without a newline too', () => {
    const splitter = new LineSplitter(3);
    expect(splitter.push(bytes('abcdefg'))).toEqual(['abc']);
    expect(splitter.end()).toEqual(['def', 'g']);
  });
});

describe('utf8SafeEnd', () => {
  it('keeps complete characters and drops an incomplete last one', () => {
    expect(utf8SafeEnd(bytes('abc'))).toBe(3);
    expect(utf8SafeEnd(bytes('a€'))).toBe(4);
    expect(utf8SafeEnd(bytes('a€').subarray(0, 3))).toBe(1);
    expect(utf8SafeEnd(bytes('a€').subarray(0, 2))).toBe(1);
    expect(utf8SafeEnd(bytes('😀'))).toBe(4);
    expect(utf8SafeEnd(new Uint8Array())).toBe(0);
  });
});

describe('LineSplitter with output that is not text', () => {
  it('replaces NUL bytes and invalid UTF-8', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Uint8Array.from([0x61, 0x00, 0x62, 0x0a, 0xff, 0xfe, 0x0a, 0xc3, 0x0a]))).toEqual([
      'a\uFFFDb',
      '\uFFFD\uFFFD',
      '\uFFFD',
    ]);
  });

  it('keeps a line of binary data within the cap, replacements included', () => {
    const splitter = new LineSplitter(9);
    // Six invalid bytes are 18 bytes of replacements: two lines of three.
    expect(splitter.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0a]))).toEqual([
      '\uFFFD\uFFFD\uFFFD',
      '\uFFFD\uFFFD\uFFFD',
    ]);
  });

  it('never emits more than the cap of text for any input', () => {
    const splitter = new LineSplitter(1024);
    const noise = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919 + (i >> 3)) % 256);
    const lines = [...splitter.push(noise), ...splitter.end()];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain('\0');
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1024);
    }
    // Every byte is in some line: valid characters kept, invalid ones replaced, none dropped.
    const newlines = noise.filter((byte) => byte === 0x0a).length;
    expect(lines.join('\n')).toBe(new TextDecoder().decode(noise).replaceAll('\0', '\uFFFD').replace(/\n$/, ''));
    expect(lines.length).toBeGreaterThanOrEqual(newlines);
  });
});

describe('LineSplitter on large chunks of whole lines', () => {
  /** The lines of `input` fed a byte at a time: every line goes the line-by-line way. */
  const byteByByte = (input: Uint8Array, maxBytes: number) => {
    const splitter = new LineSplitter(maxBytes);
    const lines: string[] = [];
    for (let i = 0; i < input.length; i += 1) lines.push(...splitter.push(input.subarray(i, i + 1)));
    return [...lines, ...splitter.end()];
  };
  const inChunks = (input: Uint8Array, maxBytes: number, size: number) => {
    const splitter = new LineSplitter(maxBytes);
    const lines: string[] = [];
    for (let i = 0; i < input.length; i += size) lines.push(...splitter.push(input.subarray(i, i + size)));
    return [...lines, ...splitter.end()];
  };

  it('gives the same lines as line by line, whatever the bytes and the chunk sizes', () => {
    // A fixed pseudo-random sequence: the same cases every run.
    let state = 7;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const pieces = [
      bytes('line'),
      bytes('€é🚀'),
      bytes('\r'),
      bytes('\n'),
      bytes('\r\n'),
      new Uint8Array([0]),
      new Uint8Array([0xff, 0xc3]),
      bytes('x'.repeat(30)),
    ];
    for (let round = 0; round < 200; round += 1) {
      const parts: Uint8Array[] = [];
      // Every other round only text, so whole chunks go the fast way too.
      const pool = round % 2 === 0 ? pieces : [...pieces.slice(0, 5), ...pieces.slice(7)];
      for (let i = 0; i < 40; i += 1) parts.push(pool[random(pool.length)] as Uint8Array);
      const input = new Uint8Array(Buffer.concat(parts));
      const maxBytes = [8, 16, 64, 1024][random(4)] as number;
      const expected = byteByByte(input, maxBytes);
      for (const size of [1, 7, 64, input.length]) expect(inChunks(input, maxBytes, size)).toEqual(expected);
    }
  });

  it('splits a chunk of many short lines, \r\n endings removed', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `bench line ${i}${i % 2 === 0 ? '\r' : ''}`).join('\n');
    const splitter = new LineSplitter();
    expect(splitter.push(bytes(`${text}\npartial`))).toEqual(Array.from({ length: 1000 }, (_, i) => `bench line ${i}`));
    expect(splitter.end()).toEqual(['partial']);
  });
});
