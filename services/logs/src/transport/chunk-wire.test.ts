import { describe, expect, it } from 'vitest';
import { ContractVersion, create, LogChunkSchema, LogLevel, LogLineSchema, LogStream } from '@fluxi/contracts';
import { decode, encode } from '@fluxi/messaging';
import { rowsFromChunk } from '../domain/log-row.js';
import { tsvFromChunks, tsvFromRows } from '../store/tsv-rows.js';
import { readChunk } from './chunk-wire.js';

interface LineInit {
  seq: bigint;
  stream: LogStream;
  text: string;
  tsMs: bigint;
  attempt: number;
  level?: LogLevel;
}

const bytesOf = (lines: LineInit[], more: Record<string, unknown> = {}) =>
  encode(
    LogChunkSchema,
    create(LogChunkSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      jobRunId: 'JR-1',
      pipelineRunId: 'R-1',
      pipelineId: 'P\t1',
      jobId: 'J-1',
      jobName: 'bûild',
      lines: lines.map((line) => create(LogLineSchema, line)),
      ...more,
    }),
  );

const line = (seq: number, text: string, more: Partial<LineInit> = {}): LineInit => ({
  seq: BigInt(seq),
  stream: LogStream.STDOUT,
  text,
  tsMs: 1_733_400_000_123n + BigInt(seq),
  attempt: 1,
  ...more,
});

/** The body the generic way gives: protobuf-es decode, rows, TSV. */
const generic = (data: Uint8Array, defaultRetention = 30) =>
  tsvFromRows(rowsFromChunk(decode(LogChunkSchema, data), defaultRetention));

const fast = (data: Uint8Array, defaultRetention = 30) => {
  const chunk = readChunk(data, defaultRetention);
  if (chunk === undefined) throw new Error('not read');
  return tsvFromChunks([chunk]);
};

describe('readChunk', () => {
  it('gives the lines the generic decoder gives, byte for byte in the insert', () => {
    const cases = [
      bytesOf([line(1, 'bench line 1'), line(2, '')]),
      bytesOf([
        line(3, 'tab\there, newline\nthere, back\\slash, \\n literal, cr\r, nul \u0000, émoji 🚀', {
          level: LogLevel.ERROR,
          stream: LogStream.STDERR,
        }),
        line(4, 'x'.repeat(70_000), { attempt: 7, level: LogLevel.DEBUG, stream: LogStream.SYSTEM }),
        line(2 ** 31 - 1, 'last', { tsMs: 0n, level: 99 as LogLevel }),
      ]),
      bytesOf([line(5, 'kept 400 days')], { logRetentionDays: 400 }),
      bytesOf([line(6, 'kept too long')], { logRetentionDays: 100_000 }),
      bytesOf([], {}),
    ];
    for (const data of cases) expect(fast(data).toString('utf8')).toBe(generic(data).toString('utf8'));
    expect(fast(cases[0] as Uint8Array).equals(generic(cases[0] as Uint8Array))).toBe(true);
  });

  it('leaves a text that is not UTF-8 to the generic decoder, which refuses the chunk', () => {
    const data = Buffer.from(bytesOf([line(1, 'a@@b@c')]));
    const at = data.indexOf('a@@b@c');
    data[at + 1] = 0xff;
    data[at + 2] = 0xc3; // a lead byte without its continuation
    expect(readChunk(data, 30)).toBeUndefined();
    expect(() => generic(data)).toThrow();
  });

  it('skips fields it does not know, as the generic decoder does', () => {
    const data = Buffer.concat([bytesOf([line(1, 'one')]), Buffer.from([0x78, 0x05, 0x82, 0x01, 0x02, 0x41, 0x42])]);
    expect(fast(data).toString('utf8')).toBe(generic(data).toString('utf8'));
  });

  it('refuses what the generic way refuses, with the same message', () => {
    const cases = [
      bytesOf([line(1, 'x')], { jobRunId: '' }),
      bytesOf([line(1, 'x')], { pipelineRunId: '' }),
      bytesOf([line(1, 'x', { stream: LogStream.UNSPECIFIED })]),
      bytesOf([line(1, 'x'), line(0, 'no seq')]),
      bytesOf([line(2 ** 31, 'x')]),
      bytesOf([line(1, 'x', { attempt: 0 })]),
      bytesOf([line(1, 'x', { tsMs: -1n })]),
      bytesOf([line(1, 'x', { tsMs: BigInt(Date.UTC(2300, 0, 1)) })]),
      bytesOf([line(1, 'x')], { version: 2 }),
    ];
    for (const data of cases) {
      const message = (() => {
        try {
          generic(data);
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error('the generic way took it');
      })();
      let refused = '';
      try {
        readChunk(data, 30);
      } catch (error) {
        refused = (error as Error).message;
      }
      // A negative time reads as -1 here: the message says which field, not always its value.
      const field = (text: string) => text.replace(/ts_ms -?\d+/, 'ts_ms');
      expect(field(refused)).toBe(field(message));
    }
  });

  it('leaves cut bytes to the generic decoder', () => {
    const data = bytesOf([line(1, 'a line cut short')]);
    expect(readChunk(data.subarray(0, data.length - 3), 30)).toBeUndefined();
  });
});
