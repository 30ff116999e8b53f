import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitAttachStream } from './attach-output.js';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const collect = (readable: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  readable.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString();
};

describe('splitAttachStream', () => {
  it('gives each stream its bytes in order and ends both with the attach stream', async () => {
    const source = new PassThrough();
    const output = splitAttachStream(source);
    const stdout = collect(output.stdout);
    const stderr = collect(output.stderr);
    source.write(Buffer.concat([frame(1, 'a\n'), frame(2, 'b\n')]));
    source.end(frame(1, 'c\n'));
    await output.ended;
    await new Promise((resolve) => setImmediate(resolve));
    expect([stdout(), stderr()]).toEqual(['a\nc\n', 'b\n']);
  });

  it('pauses the attach stream while a reader is paused, and resumes it when it reads again', async () => {
    const source = new PassThrough();
    const output = splitAttachStream(source);
    const stderr = collect(output.stderr);
    output.stderr.pause();
    const stdout = collect(output.stdout);
    const block = 'x'.repeat(1024);
    for (let i = 0; i < 64; i += 1) source.write(frame(2, block));
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.isPaused()).toBe(true);
    expect(stderr()).toBe('');
    output.stderr.resume();
    source.end(frame(1, 'done'));
    await output.ended;
    await new Promise((resolve) => setImmediate(resolve));
    expect(stderr()).toBe(block.repeat(64));
    expect(stdout()).toBe('done');
  });
});
