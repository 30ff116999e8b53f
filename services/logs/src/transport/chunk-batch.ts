import { LogChunkSchema } from '@fluxi/contracts';
import { decode, type JsMsg } from '@fluxi/messaging';
import type { Logger } from '@fluxi/common';
import { rowsFromChunk, type LogRow } from '../domain/log-row.js';

/**
 * The rows of a batch of LogChunk messages. A message that cannot be decoded or
 * breaks the contract would fail the same way on every delivery, so it is
 * logged and terminated here (JetStream never redelivers it) and the rest of
 * the batch goes on; acking the others is the caller's job, after the write. Lines
 * of a chunk without a retention get `defaultRetentionDays`.
 */
export function rowsFromMessages(messages: readonly JsMsg[], logger: Logger, defaultRetentionDays: number): LogRow[] {
  const rows: LogRow[] = [];
  for (const msg of messages) {
    let chunkRows: LogRow[];
    try {
      chunkRows = rowsFromChunk(decode(LogChunkSchema, msg.data), defaultRetentionDays);
    } catch (error) {
      logger.error({ err: error, subject: msg.subject, streamSeq: msg.seq }, 'dropping a malformed log chunk');
      // No reason argument: nats-server before 2.10 (Debian ships 2.9) ignores a `+TERM <reason>` ack.
      msg.term();
      continue;
    }
    for (const row of chunkRows) rows.push(row);
  }
  return rows;
}
