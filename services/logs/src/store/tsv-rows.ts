import type { ChunkLines } from '../domain/chunk-lines.js';
import type { LogRow } from '../domain/log-row.js';
import { runLabelsOf, type RunLabels } from './run-labels.js';

/**
 * The columns of `tsvFromRows`, in its order: those a chunk's lines share first, so one
 * prefix per chunk serves all its lines. A job run's other labels are not on its lines
 * (see `RunLabels`).
 */
export const TSV_COLUMNS = ['job_run_id', 'retention_days', 'attempt', 'seq', 'stream', 'level', 'text', 'ts'] as const;

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIALS = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** A string as a TabSeparated field: backslash, tab, line breaks and NUL escaped, the rest as is. */
export function tsvField(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (char) => ESCAPES[char] ?? char) : text;
}

/** Milliseconds since the epoch as DateTime64(3) text: seconds with three decimals (`1733400000.123`). */
export function tsvMillis(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return `${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}

/**
 * Rows as one TabSeparated body in `TSV_COLUMNS` order: ClickHouse (and chDB, without a copy
 * into JavaScript objects) parses it natively, about twice as fast as the client's
 * JSONEachRow of the same rows, which also builds an object and a JSON string per row.
 */
export function tsvFromRows(rows: readonly LogRow[]): Buffer {
  const parts: string[] = [];
  let previous: LogRow | undefined;
  let prefix = '';
  for (const row of rows) {
    if (previous === undefined || previous.jobRunId !== row.jobRunId || previous.retentionDays !== row.retentionDays) {
      prefix = linePrefix(row.jobRunId, row.retentionDays);
      previous = row;
    }
    parts.push(
      `${prefix}${row.attempt}\t${row.seq}\t${row.stream}\t${row.level}\t${tsvField(row.text)}\t${tsvMillis(row.tsMs)}\n`,
    );
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** The fields before attempt (those a chunk's lines share), each followed by its tab. */
function linePrefix(jobRunId: string, retentionDays: number): string {
  return `${tsvField(jobRunId)}\t${retentionDays}\t`;
}

/** Labels as a TabSeparated body in `LABEL_COLUMNS` order, each seen at `seenAtMs`. */
export function tsvFromLabels(runs: readonly RunLabels[], seenAtMs: number): Buffer {
  const seenAt = tsvMillis(seenAtMs);
  const lines = runs.map(
    (run) =>
      `${tsvField(run.jobRunId)}\t${tsvField(run.pipelineRunId)}\t${tsvField(run.pipelineId)}\t` +
      `${tsvField(run.jobId)}\t${tsvField(run.jobName)}\t${seenAt}\n`,
  );
  return Buffer.from(lines.join(''), 'utf8');
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
/** Byte → the letter after a backslash that stands for it in TSV; 0: written as is. */
const ESCAPED_BYTE = new Uint8Array(256);
ESCAPED_BYTE[0x5c] = 0x5c;
ESCAPED_BYTE[0x09] = 0x74; // t
ESCAPED_BYTE[0x0a] = 0x6e; // n
ESCAPED_BYTE[0x0d] = 0x72; // r
ESCAPED_BYTE[0x00] = 0x30; // 0
/** Longest stream or level name, seq, attempt and time as text, with their tabs and newline. */
const FIXED_BYTES_PER_LINE = 8 + 6 + 11 + 11 + 20 + 6;

/**
 * The lines of checked chunks as one TabSeparated body in `TSV_COLUMNS` order, written
 * straight from the chunks' bytes: each text (UTF-8, as `readChunk` made sure) is copied
 * with its special bytes escaped, without ever becoming a string.
 */
export function tsvFromChunks(chunks: readonly ChunkLines[]): Buffer {
  let size = 0;
  const prefixes = chunks.map((chunk) => Buffer.from(linePrefix(chunk.labels.jobRunId, chunk.retentionDays), 'utf8'));
  chunks.forEach((chunk, index) => {
    const lines = chunk.seq.length;
    size += lines * ((prefixes[index]?.length ?? 0) + FIXED_BYTES_PER_LINE);
    // An escaped byte takes 2.
    for (let i = 0; i < lines; i += 1) size += 2 * ((chunk.textEnd[i] ?? 0) - (chunk.textStart[i] ?? 0));
  });
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  chunks.forEach((chunk, index) => {
    const prefix = prefixes[index] as Buffer;
    const { data } = chunk;
    for (let i = 0; i < chunk.seq.length; i += 1) {
      // TypedArray#set, not Buffer#copy: per line, copy's checks cost ~10x the bytes it moves.
      out.set(prefix, at);
      at += prefix.length;
      at = writeUint(out, at, chunk.attempt[i] ?? 0);
      out[at++] = TAB;
      at = writeUint(out, at, chunk.seq[i] ?? 0);
      out[at++] = TAB;
      at = writeName(out, at, chunk.stream[i] ?? '');
      out[at++] = TAB;
      at = writeName(out, at, chunk.level[i] ?? '');
      out[at++] = TAB;
      const text = data.subarray(chunk.textStart[i] ?? 0, chunk.textEnd[i] ?? 0);
      at = writeEscaped(out, at, text);
      out[at++] = TAB;
      at = writeMillis(out, at, chunk.tsMs[i] ?? 0);
      out[at++] = NEWLINE;
    }
  });
  return out.subarray(0, at);
}

/** The bytes of the few stream and level names, made once each. */
const NAME_BYTES = new Map<string, Buffer>();

/** A stream or level name (ASCII, from a closed set), as its bytes. */
function writeName(out: Buffer, at: number, name: string): number {
  let bytes = NAME_BYTES.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(name, 'latin1');
    NAME_BYTES.set(name, bytes);
  }
  out.set(bytes, at);
  return at + bytes.length;
}

function writeEscaped(out: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i] as number;
    const escaped = byte < 0x60 ? (ESCAPED_BYTE[byte] as number) : 0;
    if (escaped === 0) {
      out[at++] = byte;
    } else {
      out[at++] = BACKSLASH;
      out[at++] = escaped;
    }
  }
  return at;
}

/** As tsvMillis, into `out`. */
function writeMillis(out: Buffer, at: number, ms: number): number {
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  at = writeUint(out, at, seconds);
  out[at++] = 0x2e; // .
  out[at++] = 0x30 + Math.floor(millis / 100);
  out[at++] = 0x30 + (Math.floor(millis / 10) % 10);
  out[at++] = 0x30 + (millis % 10);
  return at;
}

/** A non-negative integer (below 2^53) in decimal. */
function writeUint(out: Buffer, at: number, value: number): number {
  if (value < 10) {
    out[at] = 0x30 + value;
    return at + 1;
  }
  let digits = 0;
  for (let rest = value; rest >= 1; rest = Math.floor(rest / 10)) digits += 1;
  let rest = value;
  for (let i = digits - 1; i >= 0; i -= 1) {
    out[at + i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/**
 * The lines of an insert as the store's TabSeparated body, and the labels of their job runs;
 * undefined when there are none.
 */
export type LinesBody = { lines: Buffer; runs: RunLabels[] } | undefined;

/** Pure CPU, so it can be done while an earlier insert runs (see `LogStore.insertBody`). */
export function linesBody(chunks: readonly ChunkLines[], rows: readonly LogRow[] = []): LinesBody {
  if (rows.length === 0 && chunks.every((chunk) => chunk.seq.length === 0)) return undefined;
  const lines = rows.length === 0 ? tsvFromChunks(chunks) : Buffer.concat([tsvFromChunks(chunks), tsvFromRows(rows)]);
  return { lines, runs: runLabelsOf(chunks, rows) };
}
