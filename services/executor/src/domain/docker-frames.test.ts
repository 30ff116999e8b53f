import { describe, expect, it } from 'vitest';
import { FrameDecoder, type Frame } from './docker-frames.js';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const text = (frames: Frame[]) => frames.map((piece) => `${piece.stream}:${piece.payload.toString()}`);

describe('FrameDecoder', () => {
  it('splits frames of both streams in the order they came', () => {
    const decoder = new FrameDecoder();
    const data = Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n'), frame(1, 'three\n')]);
    expect(text(decoder.push(data))).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n']);
    expect(decoder.cutShort).toBe(false);
  });

  it('gets the same pieces whatever the chunking, one byte at a time included', () => {
    const data = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(1, '')]);
    const decoder = new FrameDecoder();
    const pieces: Frame[] = [];
    for (let i = 0; i < data.length; i += 1) pieces.push(...decoder.push(data.subarray(i, i + 1)));
    const joined = { stdout: '', stderr: '' };
    for (const piece of pieces) joined[piece.stream] += piece.payload.toString();
    expect(joined).toEqual({ stdout: 'hello world\n', stderr: 'oops\n' });
    // Stream order holds: the stderr piece comes between the two stdout frames.
    const order = pieces.map((piece) => piece.stream).filter((stream, i, all) => stream !== all[i - 1]);
    expect(order).toEqual(['stdout', 'stderr', 'stdout']);
    expect(decoder.cutShort).toBe(false);
  });

  it('passes a large payload on as it arrives, and tells a stream cut inside a frame', () => {
    const decoder = new FrameDecoder();
    const data = frame(1, 'x'.repeat(100_000));
    expect(decoder.push(data.subarray(0, 50_008))[0]?.payload.length).toBe(50_000);
    expect(decoder.cutShort).toBe(true);
    expect(decoder.push(data.subarray(50_008))[0]?.payload.length).toBe(50_000);
    expect(decoder.cutShort).toBe(false);
  });

  it('takes a stream that is not multiplexed as stdout from there on', () => {
    const decoder = new FrameDecoder();
    expect(text(decoder.push(Buffer.concat([frame(1, 'framed\n'), Buffer.from('plain text here\n')])))).toEqual([
      'stdout:framed\n',
      'stdout:plain text here\n',
    ]);
    expect(text(decoder.push(frame(2, 'later')))).toEqual([`stdout:${frame(2, 'later').toString()}`]);
  });
});
