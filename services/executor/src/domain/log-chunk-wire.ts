import type { LogChunk, LogLine } from '@fluxi/contracts';

/** A line as the encoder reads it: LogLine's fields but its attempt, which the chunk gives. */
export type WireLine = Pick<LogLine, 'seq' | 'stream' | 'text' | 'tsMs' | 'level'>;

/**
 * A chunk as the encoder reads it: LogChunk's fields, with the attempt of all its lines once
 * (an executor sends the lines of one attempt per chunk), and lines as plain objects: no
 * protobuf message is made per line.
 */
export type WireChunk = Omit<LogChunk, '$typeName' | 'lines'> & { attempt: number; lines: readonly WireLine[] };

/**
 * A LogChunk in protobuf's wire format, the same bytes as `toBinary(LogChunkSchema, chunk)`
 * with every line's `attempt` set to the chunk's (fields in number order, proto3 defaults left
 * out), written into one buffer sized first. The generic encoder forks a writer and copies
 * each line's bytes once more per nested message: for chunks of thousands of short lines that
 * was most of the executor's encoding time and garbage. Only LogChunk and LogLine
 * (proto/fluxi/v1/logs.proto) are known here; the test holds it to the generic encoder's bytes.
 */
export function encodeLogChunk(chunk: WireChunk): Uint8Array {
  const labels = [chunk.jobRunId, chunk.pipelineRunId, chunk.pipelineId, chunk.jobId, chunk.jobName];
  const labelBytes = labels.map((text) => Buffer.byteLength(text, 'utf8'));
  const textBytes = new Array<number>(chunk.lines.length);
  const lineBytes = new Array<number>(chunk.lines.length);
  const attemptSize = fieldSize(chunk.attempt);
  let size = fieldSize(chunk.version) + fieldSize(chunk.logRetentionDays);
  for (const length of labelBytes) size += stringSize(length);
  chunk.lines.forEach((line, index) => {
    const text = Buffer.byteLength(line.text, 'utf8');
    textBytes[index] = text;
    const body = lineSize(line, text) + attemptSize;
    lineBytes[index] = body;
    size += 1 + varintSize(body) + body;
  });
  const out = new Writer(Buffer.allocUnsafe(size));
  out.enumField(1, chunk.version);
  out.stringField(2, chunk.jobRunId, labelBytes[0] ?? 0);
  out.stringField(3, chunk.pipelineRunId, labelBytes[1] ?? 0);
  chunk.lines.forEach((line, index) => {
    out.tag(4, LEN);
    out.varint(lineBytes[index] ?? 0);
    out.bigField(1, line.seq);
    out.enumField(2, line.stream);
    out.stringField(3, line.text, textBytes[index] ?? 0);
    out.bigField(4, line.tsMs);
    out.enumField(5, chunk.attempt);
    out.enumField(6, line.level);
  });
  out.stringField(5, chunk.pipelineId, labelBytes[2] ?? 0);
  out.stringField(6, chunk.jobId, labelBytes[3] ?? 0);
  out.stringField(7, chunk.jobName, labelBytes[4] ?? 0);
  out.enumField(8, chunk.logRetentionDays);
  if (out.offset !== size) throw new Error(`LogChunk encoding wrote ${out.offset} of ${size} bytes`);
  return out.buffer;
}

const VARINT = 0;
const LEN = 2;
const TWO_TO_64 = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A line's fields but its attempt (the chunk's, added by the caller). */
function lineSize(line: WireLine, textBytes: number): number {
  return (
    bigFieldSize(line.seq) +
    fieldSize(line.stream) +
    stringSize(textBytes) +
    bigFieldSize(line.tsMs) +
    fieldSize(line.level)
  );
}

/** A varint field of field number < 16 (one tag byte); 0 is left out. */
function fieldSize(value: number): number {
  return value === 0 ? 0 : 1 + varintSize(value < 0 ? 2 ** 64 + value : value);
}

function bigFieldSize(value: bigint): number {
  return value === 0n ? 0 : 1 + bigVarintSize(value < 0n ? value + TWO_TO_64 : value);
}

function stringSize(bytes: number): number {
  return bytes === 0 ? 0 : 1 + varintSize(bytes) + bytes;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}

function bigVarintSize(value: bigint): number {
  return value <= MAX_SAFE ? varintSize(Number(value)) : bigVarintBytes(value).length;
}

function bigVarintBytes(value: bigint): number[] {
  const bytes: number[] = [];
  while (value >= 128n) {
    bytes.push(Number(value & 127n) | 128);
    value >>= 7n;
  }
  bytes.push(Number(value));
  return bytes;
}

/** Writes fields into a buffer sized for them. */
class Writer {
  offset = 0;

  constructor(readonly buffer: Buffer) {}

  tag(field: number, wireType: number): void {
    this.buffer[this.offset++] = (field << 3) | wireType;
  }

  varint(value: number): void {
    while (value >= 128) {
      this.buffer[this.offset++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    this.buffer[this.offset++] = value;
  }

  /** An enum or uint32 field (int32 enums below 0 as 10 bytes, as protobuf does). */
  enumField(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, VARINT);
    if (value < 0) this.bigVarint(BigInt(value) + TWO_TO_64);
    else this.varint(value);
  }

  /** A uint64 or int64 field. */
  bigField(field: number, value: bigint): void {
    if (value === 0n) return;
    this.tag(field, VARINT);
    this.bigVarint(value < 0n ? value + TWO_TO_64 : value);
  }

  stringField(field: number, text: string, bytes: number): void {
    if (bytes === 0) return;
    this.tag(field, LEN);
    this.varint(bytes);
    this.offset += this.buffer.write(text, this.offset, bytes, 'utf8');
  }

  private bigVarint(value: bigint): void {
    if (value <= MAX_SAFE) {
      this.varint(Number(value));
      return;
    }
    for (const byte of bigVarintBytes(value)) this.buffer[this.offset++] = byte;
  }
}
