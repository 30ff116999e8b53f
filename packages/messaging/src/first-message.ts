import type { MsgRequest, NextMsgRequest, StoredMsg } from '@nats-io/jetstream';
import type { Nats } from './nats.js';

/**
 * The first message `stream` holds on `subject` (wildcards allowed), in one request to the
 * server and without a consumer; null when it holds none.
 */
export function firstMessage(nats: Nats, stream: string, subject: string): Promise<StoredMsg | null> {
  const query: NextMsgRequest = { seq: 1, next_by_subj: subject };
  // STREAM.MSG.GET takes next_by_subj (nats-server 2.9 and later); the client's type for it lists
  // only the sequence and last-by-subject forms (its direct get has them all, but needs allow_direct).
  return nats.jsm.streams.getMessage(stream, query as unknown as MsgRequest);
}
