/**
 * Keeps the first `maxBytes` bytes of a stream (a job's standard output, used as
 * its context) and counts the rest without keeping it: past the cap a chunk costs
 * one addition.
 */
export class OutputCapture {
  private readonly parts: Uint8Array[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0 || chunk.length === 0) return;
    // A copy of what is kept only: the chunk may be a view into a larger buffer.
    const part = new Uint8Array(chunk.subarray(0, Math.min(room, chunk.length)));
    this.parts.push(part);
    this.kept += part.length;
  }

  /** Bytes seen in all. */
  get totalBytes(): number {
    return this.total;
  }

  /** Bytes kept. */
  get keptBytes(): number {
    return this.kept;
  }

  /** True when some bytes were not kept. */
  get cut(): boolean {
    return this.total > this.kept;
  }

  /** The kept bytes, in one array. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.kept);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
