import { JobRunEventSchema, Streams, Subjects } from '@fluxi/contracts';
import { decode, type Nats } from '@fluxi/messaging';

/**
 * Which executor started an attempt, from its `started` event on the events stream (the
 * last event of its job run while it runs). Undefined when the attempt has not started,
 * has finished, or its event cannot be read.
 */
export class StreamStartedEvents {
  constructor(private readonly nats: Nats) {}

  async executorOf(jobRunId: string, attempt: number): Promise<string | undefined> {
    const last = await this.nats.jsm.streams.getMessage(Streams.events.name, {
      last_by_subj: Subjects.jobRunEvent(jobRunId),
    });
    if (last === null) return undefined;
    try {
      const event = decode(JobRunEventSchema, last.data);
      if (event.attempt !== attempt || event.kind.case !== 'started') return undefined;
      return event.kind.value.executorId === '' ? undefined : event.kind.value.executorId;
    } catch {
      return undefined;
    }
  }
}
