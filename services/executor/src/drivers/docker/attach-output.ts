import { Readable } from 'node:stream';
import { FrameDecoder } from '../../domain/docker-frames.js';

/** A container's two output streams, split from its attach stream. */
export interface ContainerOutput {
  stdout: Readable;
  stderr: Readable;
  /** Resolves once the attach stream ended (the container stopped) and both streams were ended. */
  ended: Promise<void>;
  /** Stops reading: both streams end now. */
  close(): void;
}

/**
 * Demultiplexes the engine's attach stream into stdout and stderr as the
 * frames come, so lines keep the engine's order. Unlike dockerode's
 * demuxStream it keeps back-pressure: while a stream's reader is paused (the
 * log pipeline is full) the attach stream is paused too, and the container's
 * writes wait.
 */
export function splitAttachStream(source: NodeJS.ReadableStream): ContainerOutput {
  const decoder = new FrameDecoder();
  // A stream wants more: read on. Should the other one still be full, its next push says so and pauses again.
  const resume = () => {
    source.resume();
  };
  const stdout = new Readable({ read: resume });
  const stderr = new Readable({ read: resume });
  let done = false;
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const end = () => {
    if (done) return;
    done = true;
    stdout.push(null);
    stderr.push(null);
    markEnded();
  };
  source.on('data', (chunk: Buffer) => {
    let full = false;
    for (const frame of decoder.push(chunk)) {
      const target = frame.stream === 'stdout' ? stdout : stderr;
      if (!done && !target.push(frame.payload)) full = true;
    }
    if (full) source.pause();
  });
  source.once('end', end);
  source.once('close', end);
  source.once('error', end);
  return {
    stdout,
    stderr,
    ended,
    close() {
      end();
      (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    },
  };
}
