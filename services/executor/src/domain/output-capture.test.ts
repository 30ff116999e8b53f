import { describe, expect, it } from 'vitest';
import { OutputCapture } from './output-capture.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('OutputCapture', () => {
  it('keeps everything under the cap', () => {
    const capture = new OutputCapture(100);
    capture.push(bytes('hello '));
    capture.push(bytes('world\n'));
    expect(text(capture.bytes())).toBe('hello world\n');
    expect(capture.totalBytes).toBe(12);
    expect(capture.cut).toBe(false);
  });

  it('cuts at the cap, inside a chunk, and counts the rest', () => {
    const capture = new OutputCapture(8);
    capture.push(bytes('12345'));
    capture.push(bytes('6789abc'));
    capture.push(bytes('more'));
    expect(text(capture.bytes())).toBe('12345678');
    expect(capture.keptBytes).toBe(8);
    expect(capture.totalBytes).toBe(16);
    expect(capture.cut).toBe(true);
  });

  it('copies what it keeps: a reused buffer does not change it', () => {
    const capture = new OutputCapture(10);
    const buffer = bytes('abc');
    capture.push(buffer);
    buffer.set(bytes('xyz'));
    expect(text(capture.bytes())).toBe('abc');
  });

  it('is empty before any output', () => {
    const capture = new OutputCapture(10);
    expect(capture.bytes()).toEqual(new Uint8Array());
    expect(capture.totalBytes).toBe(0);
  });
});
