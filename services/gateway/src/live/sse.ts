import { once } from 'node:events';
import type { Express, Request, Response } from 'express';
import { badInput, FluxiError, isFluxiError, type Logger } from '@fluxi/common';
import { sendProblem } from '../rest/problem.js';
import type { AuthedRequest } from '../transport/auth.js';
import type { LiveFollows } from './live-schema.js';
import type { LogFollowEvent } from './live-types.js';
import type { PipelineLogEvent } from './pipeline-log-follow.js';

/** A comment line every so often keeps proxies and load balancers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
const LEVELS = new Set(['ERROR', 'WARN', 'INFO', 'DEBUG', 'NONE']);

function positiveInt(value: unknown, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(number) || number < 1) {
    throw badInput(`${field} must be a whole number from 1`, field);
  }
  return number;
}

/** `level=ERROR&level=WARN` or `level=ERROR,WARN`. */
function levelsOf(value: unknown): string[] | undefined {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const levels = raw.flatMap((item) => String(item).split(',')).map((level) => level.trim().toUpperCase());
  const wrong = levels.find((level) => !LEVELS.has(level));
  if (wrong !== undefined) throw badInput(`level ${wrong} is not one of ERROR, WARN, INFO, DEBUG, NONE`, 'level');
  return levels.length === 0 ? undefined : levels;
}

/** `Last-Event-ID` of a log stream: `<attempt>.<seq>` of the last line received. */
export function logResumePoint(lastEventId: string | undefined): { attempt: number; fromSeq: number } | undefined {
  if (lastEventId === undefined || lastEventId === '') return undefined;
  const match = /^(\d{1,10})\.(\d{1,16})$/.exec(lastEventId.trim());
  if (match === null)
    throw badInput('Last-Event-ID must be the id of a line of this stream (<attempt>.<seq>)', 'Last-Event-ID');
  return { attempt: Number(match[1]), fromSeq: Number(match[2]) + 1 };
}

/** Writes Server-Sent Events until the events end, the client goes away or the gateway stops. */
async function stream<T>(
  req: Request,
  res: Response,
  events: AsyncIterator<T>,
  frame: (event: T) => { id?: string; event: string; data: unknown },
  logger: Logger,
): Promise<void> {
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache, no-transform');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  let gone = false;
  req.on('close', () => {
    gone = true;
    void events.return?.();
  });
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  const write = async (text: string) => {
    if (!res.write(text) && !gone) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  };
  try {
    for (;;) {
      const next = await events.next();
      if (next.done === true || gone) break;
      const { id, event, data } = frame(next.value);
      await write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
  } catch (error) {
    const fluxi = isFluxiError(error) ? error : new FluxiError('INTERNAL', 'the live follow failed');
    if (!isFluxiError(error)) logger.warn({ err: error }, 'a live follow failed');
    if (!gone) await write(`event: error\ndata: ${JSON.stringify({ code: fluxi.code, message: fluxi.message })}\n\n`);
  } finally {
    clearInterval(keepAlive);
    res.end();
  }
}

const logFrame = (event: LogFollowEvent) =>
  event.kind === 'line'
    ? { id: `${event.line.attempt}.${event.line.seq}`, event: 'line', data: event.line }
    : { event: 'end', data: event.end };

/**
 * Server-Sent Events for plain HTTP clients and curl, behind the same API key check as
 * GraphQL:
 * - `GET /api/v1/job-runs/{id}/logs/stream[?attempt=&fromSeq=&level=ERROR,WARN]`: `line`
 *   events (id `<attempt>.<seq>`), then one `end` event with the final status;
 * - `GET /api/v1/pipeline-runs/{id}/logs/stream[?level=]`: every job run's lines as `line`
 *   events tagged with `jobName`, a `job-end` per job run, then `end` (no resume: merged);
 * - `GET /api/v1/pipeline-runs/{id}/events[?fromSeq=]`: `run-event` events (id = the
 *   event's seq), ending after the run ended.
 * A reconnecting client sends `Last-Event-ID` and gets what follows it, nothing twice.
 */
export function mountSse(http: Express, follows: LiveFollows, logger: Logger): void {
  http.get('/api/v1/job-runs/:id/logs/stream', async (req: AuthedRequest, res) => {
    let events: AsyncIterator<LogFollowEvent>;
    try {
      const resume = logResumePoint(req.header('last-event-id'));
      const attempt = resume?.attempt ?? positiveInt(req.query['attempt'], 'attempt');
      const fromSeq = resume?.fromSeq ?? positiveInt(req.query['fromSeq'], 'fromSeq');
      const levels = levelsOf(req.query['level']);
      const iterable = await follows.jobRunLogs(req.principal as NonNullable<AuthedRequest['principal']>, {
        jobRunId: String(req.params['id']),
        ...(attempt === undefined ? {} : { attempt }),
        ...(fromSeq === undefined ? {} : { fromSeq }),
        ...(levels === undefined ? {} : { levels }),
      });
      events = iterable[Symbol.asyncIterator]();
    } catch (error) {
      sendProblem(res, error, logger);
      return;
    }
    await stream(req, res, events, logFrame, logger);
  });

  http.get('/api/v1/pipeline-runs/:id/logs/stream', async (req: AuthedRequest, res) => {
    let events: AsyncIterator<PipelineLogEvent>;
    try {
      const levels = levelsOf(req.query['level']);
      const iterable = await follows.pipelineRunLogs(req.principal as NonNullable<AuthedRequest['principal']>, {
        pipelineRunId: String(req.params['id']),
        ...(levels === undefined ? {} : { levels }),
      });
      events = iterable[Symbol.asyncIterator]();
    } catch (error) {
      sendProblem(res, error, logger);
      return;
    }
    const frame = (event: PipelineLogEvent) =>
      event.kind === 'line'
        ? { event: 'line', data: event.line }
        : { event: event.kind === 'jobEnd' ? 'job-end' : 'end', data: event.end };
    await stream(req, res, events, frame, logger);
  });

  http.get('/api/v1/pipeline-runs/:id/events', async (req: AuthedRequest, res) => {
    let events: AsyncIterator<{ seq: number }>;
    try {
      const lastId = req.header('last-event-id');
      let fromSeq = positiveInt(req.query['fromSeq'], 'fromSeq');
      if (lastId !== undefined && lastId !== '') {
        const seq = Number(lastId);
        if (!Number.isSafeInteger(seq) || seq < 0)
          throw badInput('Last-Event-ID must be the seq of an event of this stream', 'Last-Event-ID');
        fromSeq = seq + 1;
      }
      const iterable = await follows.pipelineRun({
        pipelineRunId: String(req.params['id']),
        ...(fromSeq === undefined ? {} : { fromSeq }),
      });
      events = iterable[Symbol.asyncIterator]();
    } catch (error) {
      sendProblem(res, error, logger);
      return;
    }
    await stream(req, res, events, (event) => ({ id: String(event.seq), event: 'run-event', data: event }), logger);
  });
}
