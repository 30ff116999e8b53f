import { mkdirSync } from 'node:fs';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { safeLogValue, safeError } from './log-safety.js';

export type { Logger } from 'pino';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export interface LoggerOptions {
  level: LogLevel;
  /** Folder for one file per level (debug.log, info.log, warn.log, error.log); none when unset. */
  dir?: string;
  /** Also write to the console (stdout). */
  console?: boolean;
  /** A file is rotated (info.log → info.log.1 …) once it reaches this size. */
  maxFileBytes?: number;
  /** Rotated files kept per level, besides the current one. */
  maxFiles?: number;
  /** Add `trace_id` and `span_id` to lines logged while a span is active (tracing on; off, nothing is looked up). */
  traceIds?: boolean;
}

const FILE_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_FILES = 5;

interface LoggerState {
  files: RotatingFileStream[];
  /** Every child logger, so a level change reaches those made before it. */
  children: Set<WeakRef<Logger>>;
}
const states = new WeakMap<Logger, LoggerState>();

/**
 * The root logger: console plus one file per level. Each line goes to exactly one
 * file, the one of its level (an error is in error.log only), and each file rotates
 * by size with a bounded number kept. Error objects are reduced to their type,
 * message, code and stack, and long strings are cut, so a job's output or a
 * query's parameters never reach a log file whole. Services derive child loggers
 * with `logger.child({ service })`; `setLogLevel` changes the level of all of them.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: StreamEntry[] = [];
  const files: RotatingFileStream[] = [];
  if (options.console ?? true) {
    // People read a terminal; machines read the files (and a console that is not a terminal).
    const stream = process.stdout.isTTY
      ? pretty({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', sync: true })
      : process.stdout;
    streams.push({ level: 'debug', stream });
  }
  if (options.dir !== undefined) {
    mkdirSync(options.dir, { recursive: true });
    const perLevel: StreamEntry[] = FILE_LEVELS.map((level) => {
      const file = createStream(`${level}.log`, {
        path: options.dir,
        size: `${Math.max(1, Math.ceil((options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES) / 1024))}K`,
        rotate: options.maxFiles ?? DEFAULT_MAX_FILES,
      });
      // A full disk or a removed folder must not crash the process that logs.
      file.on('error', () => undefined);
      files.push(file);
      return { level, stream: file as unknown as DestinationStream };
    });
    streams.push({ level: 'debug', stream: pino.multistream(perLevel, { dedupe: true }) });
  }
  const state: LoggerState = { files, children: new Set() };
  const root = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: safeError, error: safeError },
      formatters: { log: safeLogValue },
      onChild: (child) => track(state, child),
      ...(options.traceIds === true ? { mixin: traceIds } : {}),
    },
    pino.multistream(streams),
  );
  states.set(root, state);
  return root;
}

/** The active span's ids, for a log line (pino mixin). */
function traceIds(): Record<string, string> {
  const span = trace.getSpanContext(context.active());
  return span !== undefined && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

function track(state: LoggerState, child: Logger): void {
  state.children.add(new WeakRef(child));
  // Short-lived children (one per attempt) are dropped from the set as they go.
  if (state.children.size % 1024 === 0) prune(state);
}

function prune(state: LoggerState): void {
  for (const ref of state.children) if (ref.deref() === undefined) state.children.delete(ref);
}

/** Sets the level of a root logger made by createLogger and of every child it has. */
export function setLogLevel(root: Logger, level: LogLevel): void {
  root.level = level;
  const state = states.get(root);
  if (state === undefined) return;
  prune(state);
  for (const ref of state.children) {
    const child = ref.deref();
    if (child !== undefined) child.level = level;
  }
}

/** Writes out what the log files still buffer and closes them (bounded by `timeoutMs`). */
export async function closeLogger(root: Logger, timeoutMs = 2000): Promise<void> {
  const state = states.get(root);
  if (state === undefined) return;
  const closing = state.files.map(
    (file) =>
      new Promise<void>((resolve) => {
        file.end(() => resolve());
      }),
  );
  state.files = [];
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closing), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
