import { FixedBuffer, Repeater } from '@repeaterjs/repeater';
import { FluxiError, type Logger } from '@fluxi/common';
import { RunEventSchema, Streams, Subjects, type RunEvent } from '@fluxi/contracts';
import { decode, followStream, type Nats } from '@fluxi/messaging';
import { endsRun, runEventView, type RunEventView } from './run-event-view.js';

/** Events kept for a slow client before its follow ends with an error. */
const BUFFER = 10_000;

/**
 * The run events of one pipeline run (subject fluxi.events.run.<id>, published by the
 * scheduler's outbox in seq order) from `fromSeq`, ending after the event that closes
 * the run. NOT_FOUND when the stream holds no event of that run.
 */
export async function followPipelineRun(
  nats: Nats,
  logger: Logger,
  request: { pipelineRunId: string; fromSeq?: number | undefined },
): Promise<AsyncIterableIterator<RunEventView>> {
  const subject = Subjects.runEvent(request.pipelineRunId);
  const known = await nats.jsm.streams
    .getMessage(Streams.events.name, { last_by_subj: subject })
    .then(() => true)
    .catch(() => false);
  if (!known) throw new FluxiError('NOT_FOUND', `pipeline run ${request.pipelineRunId} not found`);
  const fromSeq = request.fromSeq ?? 1;
  return follow(nats, logger, subject, { seq: 1 }, (event) => (event.seq < BigInt(fromSeq) ? 'skip' : 'send'));
}

/** Run events of every pipeline run (or of one pipeline's runs) from now on; never ends by itself. */
export function followPipelineRuns(
  nats: Nats,
  logger: Logger,
  request: { pipelineId?: string | undefined },
): AsyncIterableIterator<RunEventView> {
  const { pipelineId } = request;
  return follow(nats, logger, Subjects.runEvent('*'), undefined, (event) =>
    pipelineId === undefined || event.pipelineId === pipelineId ? 'send' : 'skip',
  );
}

function follow(
  nats: Nats,
  logger: Logger,
  subject: string,
  from: { seq: number } | undefined,
  choose: (event: RunEvent) => 'send' | 'skip',
): AsyncIterableIterator<RunEventView> {
  return new Repeater<RunEventView>(async (push, stop) => {
    const follower = await followStream(
      nats,
      Streams.events.name,
      (message) => {
        let event: RunEvent;
        try {
          event = decode(RunEventSchema, message.data);
        } catch (error) {
          logger.warn({ err: error, subject: message.subject }, 'live follow skipped an unreadable run event');
          return;
        }
        if (choose(event) === 'skip') return;
        try {
          push(runEventView(event)).catch(() => undefined);
        } catch {
          stop(
            new FluxiError(
              'UNAVAILABLE',
              `the client reads slower than the events come: follow again from seq ${event.seq}`,
            ),
          );
          return;
        }
        if (from !== undefined && endsRun(event)) stop();
      },
      logger,
      { filterSubject: subject, ...(from === undefined ? {} : { from }) },
    );
    await stop;
    await follower.stop();
  }, new FixedBuffer(BUFFER));
}
