/** A piece of one of a container's output streams. */
export interface Frame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

const HEADER_BYTES = 8;

/**
 * Splits the Docker engine's multiplexed attach stream (frames of an 8-byte
 * header — stream type, three zero bytes, payload size big-endian — then the
 * payload) into pieces of stdout and stderr, in the order the engine sent them.
 * A payload is passed on as its bytes arrive, never gathered whole. A header
 * that is not one (a TTY stream, or one out of step) turns the rest into stdout
 * as it comes, as the Docker CLI does.
 */
export class FrameDecoder {
  private partialHeader: Buffer = Buffer.alloc(0);
  private current: { stream: Frame['stream']; remaining: number } | undefined;
  private raw = false;

  push(chunk: Buffer): Frame[] {
    if (this.raw) return chunk.length === 0 ? [] : [{ stream: 'stdout', payload: chunk }];
    const data = this.partialHeader.length > 0 ? Buffer.concat([this.partialHeader, chunk]) : chunk;
    this.partialHeader = Buffer.alloc(0);
    const frames: Frame[] = [];
    let offset = 0;
    while (offset < data.length) {
      if (this.current === undefined) {
        if (data.length - offset < HEADER_BYTES) {
          this.partialHeader = Buffer.from(data.subarray(offset));
          break;
        }
        const stream = streamOf(data, offset);
        if (stream === undefined) {
          this.raw = true;
          frames.push({ stream: 'stdout', payload: data.subarray(offset) });
          break;
        }
        this.current = { stream, remaining: data.readUInt32BE(offset + 4) };
        offset += HEADER_BYTES;
        if (this.current.remaining === 0) this.current = undefined;
        continue;
      }
      const take = Math.min(this.current.remaining, data.length - offset);
      frames.push({ stream: this.current.stream, payload: data.subarray(offset, offset + take) });
      this.current.remaining -= take;
      offset += take;
      if (this.current.remaining === 0) this.current = undefined;
    }
    return frames;
  }

  /** True when the stream ended inside a frame (the engine went away mid-write). */
  get cutShort(): boolean {
    return this.current !== undefined || this.partialHeader.length > 0;
  }
}

/** The stream of a frame header at `offset`: 0 (stdin, echoed) and 1 are stdout, 2 and 3 (engine errors) stderr. */
function streamOf(data: Buffer, offset: number): Frame['stream'] | undefined {
  if (data[offset + 1] !== 0 || data[offset + 2] !== 0 || data[offset + 3] !== 0) return undefined;
  switch (data[offset]) {
    case 0:
    case 1:
      return 'stdout';
    case 2:
    case 3:
      return 'stderr';
    default:
      return undefined;
  }
}
