import { Repeater } from '@repeaterjs/repeater';
import type { JobRunEnd, LiveLogLine, LogFollowEvent } from './live-types.js';
import type { RunEventView } from './run-event-view.js';

/** A line of a pipeline run's merged log, tagged with its job. */
export type TaggedLine = LiveLogLine & { jobName: string };

/** What a pipeline run's log follow yields: tagged lines, each job run's end, then the run's end. */
export type PipelineLogEvent =
  | { kind: 'line'; line: TaggedLine }
  | { kind: 'jobEnd'; end: JobRunEnd & { jobName: string } }
  | { kind: 'end'; end: { pipelineRunId: string; status: string } };

export interface PipelineLogPorts {
  /** The run's events from its first (ends after the run ended). */
  runEvents: AsyncIterable<RunEventView>;
  /** One job run's log follow (stored, then live, each line once, then its end). */
  jobRunLogs(jobRunId: string): AsyncIterable<LogFollowEvent>;
}

/**
 * Every job run's log of one pipeline run, merged as the lines come, each tagged with its
 * job's name: a job run is followed (with the one job-run algorithm) as soon as the run's
 * events show it queued or later; the follow ends once the run ended and every job run
 * followed has ended. Within a job run the lines are in seq order; across job runs they
 * interleave as they are printed.
 */
export function followPipelineRunLogs(
  pipelineRunId: string,
  ports: PipelineLogPorts,
): AsyncIterableIterator<PipelineLogEvent> {
  return new Repeater<PipelineLogEvent>(async (push, stop) => {
    const followed = new Map<string, Promise<void>>();
    const open: AsyncIterator<unknown>[] = [];
    let failure: unknown;
    const follow = (jobRunId: string, jobName: string): Promise<void> =>
      (async () => {
        const events = ports.jobRunLogs(jobRunId)[Symbol.asyncIterator]();
        open.push(events);
        for await (const event of { [Symbol.asyncIterator]: () => events }) {
          if (event.kind === 'line') await push({ kind: 'line', line: { ...event.line, jobName } });
          else await push({ kind: 'jobEnd', end: { ...event.end, jobName } });
        }
      })().catch((error: unknown) => {
        failure ??= error;
        stop(error);
      });
    let ended: string | undefined;
    const runEvents = ports.runEvents[Symbol.asyncIterator]();
    open.push(runEvents);
    const reading = (async () => {
      for await (const event of { [Symbol.asyncIterator]: () => runEvents }) {
        const jobRun = event.jobRun;
        if (
          jobRun !== null &&
          jobRun.status !== 'PENDING' &&
          jobRun.status !== 'SKIPPED' &&
          !followed.has(jobRun.jobRunId)
        ) {
          followed.set(jobRun.jobRunId, follow(jobRun.jobRunId, jobRun.name));
        }
        if (event.run !== null && ['SUCCESS', 'FAILED', 'CANCELLED'].includes(event.run.status))
          ended = event.run.status;
      }
    })();
    const done = reading.then(async () => {
      await Promise.all(followed.values());
      if (failure === undefined && ended !== undefined)
        await push({ kind: 'end', end: { pipelineRunId, status: ended } });
      stop();
    });
    done.catch((error: unknown) => stop(error));
    await stop;
    // The client went away (or it all ended): every follow still open is ended too.
    await Promise.all(open.map((iterator) => iterator.return?.().catch(() => undefined)));
  });
}
