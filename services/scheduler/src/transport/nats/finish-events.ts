import { JobRunEventSchema, Streams, Subjects } from '@fluxi/contracts';
import { decode, type Nats } from '@fluxi/messaging';
import type { FinishEventState } from '../../domain/holding.js';
import { ADVANCE_DURABLE } from './events-consumer.js';

/**
 * Whether an attempt's `finished` event waits on the events stream for the scheduler's
 * consumer. The stream keeps every event (no age limit); an attempt's events are on its
 * job run's subject, its finish the last of them. "Consumed" means the consumer's ack
 * floor is past it (applied, dropped or dead-lettered); a message acked out of order may
 * still read as pending until the floor passes it, which errs on the side of waiting.
 */
export class StreamFinishEvents {
  constructor(private readonly nats: Nats) {}

  async state(jobRunId: string, attempt: number): Promise<FinishEventState> {
    const stream = Streams.events.name;
    const last = await this.nats.jsm.streams.getMessage(stream, { last_by_subj: Subjects.jobRunEvent(jobRunId) });
    if (last === null) return 'none';
    let event;
    try {
      event = decode(JobRunEventSchema, last.data);
    } catch {
      // The consumer drops what it cannot read.
      return 'none';
    }
    if (event.attempt !== attempt || event.kind.case !== 'finished') return 'none';
    const consumer = await this.nats.jsm.consumers.info(stream, ADVANCE_DURABLE);
    return last.seq > consumer.ack_floor.stream_seq ? 'pending' : 'consumed';
  }
}
