import { isUtf8 } from 'node:buffer';
import { ContractVersion } from '@fluxi/contracts';
import {
  checkChunkIds,
  checkLineNumbers,
  chunkRetentionDays,
  lineLevel,
  lineStream,
  type LineLevelName,
} from '../domain/log-row.js';
import type { ChunkLines } from '../domain/chunk-lines.js';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/** Not a shape this reader knows (groups, a known field with another wire type, cut bytes). */
class Unreadable extends Error {}

/** Fatal, as the generic decoder: a chunk with a string that is not UTF-8 is refused whole. */
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a LogChunk's wire bytes (proto/fluxi/v1/logs.proto) into columns, without a message
 * object per line, and checks it as `rowsFromChunk` does (MalformedChunkError). Texts stay
 * UTF-8 bytes inside `data`: the store copies them into its insert as they are. Returns
 * undefined for bytes this reader does not handle, and for a string that is not UTF-8 (the
 * caller decodes those the generic way, which keeps the final word on what is malformed).
 */
export function readChunk(data: Uint8Array, defaultRetentionDays: number): ChunkLines | undefined {
  try {
    return read(data, defaultRetentionDays);
  } catch (error) {
    if (error instanceof Unreadable) return undefined;
    throw error;
  }
}

function read(data: Uint8Array, defaultRetentionDays: number): ChunkLines {
  const reader = new Reader(data, 0, data.length);
  const labels = { jobRunId: '', pipelineRunId: '', pipelineId: '', jobId: '', jobName: '' };
  let version = 0;
  let retention = 0;
  const lines: Omit<ChunkLines, 'data' | 'labels' | 'retentionDays'> = {
    seq: [],
    attempt: [],
    stream: [],
    level: [],
    tsMs: [],
    textStart: [],
    textEnd: [],
  };
  const rawStreams: number[] = [];
  while (!reader.done) {
    const tag = reader.varint();
    const field = fieldOf(tag);
    const wireType = tag % 8;
    if (field === 1 && wireType === VARINT) version = reader.varint();
    else if (field === 4 && wireType === LEN) readLine(reader, lines, rawStreams);
    else if (field === 8 && wireType === VARINT) retention = reader.varint() % 2 ** 32;
    else if (wireType === LEN && LABELS[field] !== undefined) labels[LABELS[field]] = reader.string();
    else if (field <= 8) throw new Unreadable();
    else reader.skip(wireType);
  }
  if (version !== 0 && version !== ContractVersion.CONTRACT_VERSION_1) {
    throw new Error(`fluxi.v1.LogChunk: unsupported contract version ${version}`);
  }
  checkChunkIds(labels.jobRunId, labels.pipelineRunId);
  for (let index = 0; index < lines.seq.length; index += 1) {
    lines.stream.push(lineStream(index, rawStreams[index] ?? 0));
    checkLineNumbers(index, lines.seq[index] ?? 0, lines.attempt[index] ?? 0, lines.tsMs[index] ?? 0);
  }
  return { data, labels, retentionDays: chunkRetentionDays(retention, defaultRetentionDays), ...lines };
}

const LABELS: Record<number, keyof ChunkLines['labels']> = {
  2: 'jobRunId',
  3: 'pipelineRunId',
  5: 'pipelineId',
  6: 'jobId',
  7: 'jobName',
};

/**
 * Reads one LogLine, the reader's bounds narrowed to it meanwhile: nothing is allocated per
 * line but the columns' entries (a chunk holds up to a few thousand lines).
 */
function readLine(
  reader: Reader,
  lines: Omit<ChunkLines, 'data' | 'labels' | 'retentionDays'>,
  rawStreams: number[],
): void {
  const lineEnd = reader.lengthEnd();
  const chunkEnd = reader.end;
  reader.end = lineEnd;
  let seq = 0;
  let stream = 0;
  let textStart = reader.offset;
  let textEnd = reader.offset;
  let tsMs = 0;
  let attempt = 0;
  let level: LineLevelName = 'NONE';
  while (!reader.done) {
    const tag = reader.varint();
    const field = fieldOf(tag);
    const wireType = tag % 8;
    if (field === 1 && wireType === VARINT) seq = reader.varint();
    else if (field === 2 && wireType === VARINT) stream = reader.int32();
    else if (field === 3 && wireType === LEN) {
      textStart = reader.text();
      textEnd = reader.offset;
    } else if (field === 4 && wireType === VARINT) tsMs = reader.int64();
    else if (field === 5 && wireType === VARINT) attempt = reader.varint() % 2 ** 32;
    else if (field === 6 && wireType === VARINT) level = lineLevel(reader.int32());
    else if (field <= 6) throw new Unreadable();
    else reader.skip(wireType);
  }
  reader.end = chunkEnd;
  lines.seq.push(seq);
  rawStreams.push(stream);
  lines.level.push(level);
  lines.tsMs.push(tsMs);
  lines.attempt.push(attempt);
  lines.textStart.push(textStart);
  lines.textEnd.push(textEnd);
}

/** The field number of a tag (exact for every field number a tag can carry). */
function fieldOf(tag: number): number {
  return Math.floor(tag / 8);
}

/** Protobuf wire reading over `data[offset, end)`. */
class Reader {
  constructor(
    private readonly data: Uint8Array,
    public offset: number,
    /** Where reading stops: the chunk's end, or a line's while it is read. */
    public end: number,
  ) {}

  get done(): boolean {
    return this.offset >= this.end;
  }

  /** An unsigned varint as a number (exact below 2^53, which every value checked here is). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      if (this.offset >= this.end) throw new Unreadable();
      const byte = this.data[this.offset++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new Unreadable();
  }

  /** An int64: a negative one (ten bytes, two's complement) as -1, out of every range checked. */
  int64(): number {
    const value = this.varint();
    return value >= 2 ** 63 ? -1 : value;
  }

  /** An int32 (enums): the low 32 bits, signed. */
  int32(): number {
    return (this.varint() % 2 ** 32) | 0;
  }

  /** Skips a length-delimited field's length: returns where its bytes end (they start at `offset`). */
  lengthEnd(): number {
    const length = this.varint();
    const end = this.offset + length;
    if (end > this.end) throw new Unreadable();
    return end;
  }

  /** Reads past a length-delimited field; returns where its bytes start (`offset` is then their end). */
  bytes(): number {
    const end = this.lengthEnd();
    const start = this.offset;
    this.offset = end;
    return start;
  }

  /**
   * Reads past a string field, its bytes left undecoded; returns where they start (`offset`
   * is their end). One that is not UTF-8 goes to the generic decoder.
   */
  text(): number {
    const start = this.bytes();
    if (!utf8(this.data, start, this.offset)) throw new Unreadable();
    return start;
  }

  string(): string {
    const start = this.text();
    return decoder.decode(this.data.subarray(start, this.offset));
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LEN) this.bytes();
    else if (wireType === FIXED64 || wireType === FIXED32) {
      this.offset += wireType === FIXED64 ? 8 : 4;
      if (this.offset > this.end) throw new Unreadable();
    } else throw new Unreadable();
  }
}

/**
 * Whether `data[start, end)` is UTF-8. Most log lines are ASCII, checked here byte by byte;
 * a line with other bytes is checked by isUtf8 (a view per line, for those only).
 */
function utf8(data: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    if ((data[i] as number) >= 0x80) return isUtf8(data.subarray(start, end));
  }
  return true;
}
