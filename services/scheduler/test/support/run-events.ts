import { RunEventKind, RunEventSchema, RunStatus, Streams, Subjects, type RunEvent } from '@fluxi/contracts';
import { decode, type Nats } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';

/** A run event as read from JetStream, with the message id it was published with. */
export interface ReadEvent {
  event: RunEvent;
  msgId: string | undefined;
}

/** Every message stored on `fluxi.events.run.<runId>`, in stream order (an ordered consumer from the start). */
export async function readRunEvents(nats: Nats, runId: string): Promise<ReadEvent[]> {
  const subject = Subjects.runEvent(runId);
  const consumer = await nats.js.consumers.get(Streams.events.name, { filter_subjects: subject });
  const read: ReadEvent[] = [];
  for (;;) {
    const message = await consumer.next({ expires: 1000 });
    if (message === null) break;
    read.push({ event: decode(RunEventSchema, message.data), msgId: message.headers?.get('Nats-Msg-Id') });
    if (message.info.pending === 0) break;
  }
  return read;
}

const ENDED = new Set([RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.CANCELLED]);

/** True for the event that ends a run (the run entity in a terminal status). */
export const isRunEnd = (event: RunEvent): boolean =>
  event.entity.case === 'run' && ENDED.has(event.entity.value.status);

/** Waits until the run's end event is on the stream, and returns every event of the run. */
export function waitForRunEndEvent(nats: Nats, runId: string): Promise<ReadEvent[]> {
  return waitFor(
    async () => {
      const events = await readRunEvents(nats, runId);
      return events.some((read) => isRunEnd(read.event)) ? events : undefined;
    },
    { what: `the end event of run ${runId} on the stream`, timeoutMs: 20_000 },
  );
}

/** `name: KIND STATUS` lines of a run's events, in order: the story the events tell. */
export function story(events: readonly ReadEvent[]): string[] {
  return events.map(({ event }) => {
    const kind = event.kind;
    switch (event.entity.case) {
      case 'run':
        return `run: ${kindName(kind)} ${RunStatus[event.entity.value.status]}`;
      case 'stage':
        return `stage ${event.entity.value.name}: ${kindName(kind)} ${RunStatus[event.entity.value.status]}`;
      case 'jobRun':
        return `${event.entity.value.name}#${event.entity.value.attempt}: ${kindName(kind)} ${RunStatus[event.entity.value.status]}`;
      case 'attempt':
        return `${event.entity.value.name}#${event.entity.value.attempt}: ${kindName(kind)} ${RunStatus[event.entity.value.status]}`;
      default:
        return `?: ${kindName(kind)}`;
    }
  });
}

const kindName = (kind: RunEventKind): string => RunEventKind[kind];

/** The seq of each event, in stream order. */
export const seqs = (events: readonly ReadEvent[]): number[] => events.map(({ event }) => Number(event.seq));

/** 1..n */
export const oneTo = (n: number): number[] => Array.from({ length: n }, (_, index) => index + 1);
