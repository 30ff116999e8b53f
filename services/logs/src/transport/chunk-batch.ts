import { LogChunkSchema } from '@fluxi/contracts';
import { decode, type JsMsg } from '@fluxi/messaging';
import type { Logger } from '@fluxi/common';
import type { ChunkLines } from '../domain/chunk-lines.js';
import { rowsFromChunk, type LogRow } from '../domain/log-row.js';
import { readChunk } from './chunk-wire.js';

/** The lines of a batch of chunks: most as columns read off the wire, the rest as rows. */
export interface LineBatch {
  chunks: ChunkLines[];
  rows: LogRow[];
  /** Lines in both. */
  lines: number;
}

/**
 * The lines of a batch of LogChunk messages. A message that cannot be decoded or
 * breaks the contract would fail the same way on every delivery, so it is
 * logged and terminated here (JetStream never redelivers it) and the rest of
 * the batch goes on; acking the others is the caller's job, after the write. Lines
 * of a chunk without a retention get `defaultRetentionDays`. Chunks are read by
 * `readChunk` (no object per line); one it does not handle is decoded the generic way.
 */
export function linesFromMessages(messages: readonly JsMsg[], logger: Logger, defaultRetentionDays: number): LineBatch {
  const batch: LineBatch = { chunks: [], rows: [], lines: 0 };
  for (const msg of messages) {
    try {
      const chunk = readChunk(msg.data, defaultRetentionDays);
      if (chunk !== undefined) {
        batch.chunks.push(chunk);
        batch.lines += chunk.seq.length;
        continue;
      }
      const rows = rowsFromChunk(decode(LogChunkSchema, msg.data), defaultRetentionDays);
      for (const row of rows) batch.rows.push(row);
      batch.lines += rows.length;
    } catch (error) {
      logger.error({ err: error, subject: msg.subject, streamSeq: msg.seq }, 'dropping a malformed log chunk');
      // No reason argument: nats-server before 2.10 (Debian ships 2.9) ignores a `+TERM <reason>` ack.
      msg.term();
    }
  }
  return batch;
}
