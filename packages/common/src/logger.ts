import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LoggerOptions {
  level: LogLevel;
  /** Folder for one file per level (debug.log, info.log, warn.log, error.log); none when unset. */
  dir?: string;
  /** Also write to the console (stdout). */
  console?: boolean;
}

const FILE_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The root logger: console plus one file per level. A file receives the lines of
 * its level and above. Services derive child loggers with `logger.child({ service })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: StreamEntry[] = [];
  if (options.console ?? true) {
    // People read a terminal; machines read the files (and a console that is not a terminal).
    const stream = process.stdout.isTTY
      ? pretty({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', sync: true })
      : process.stdout;
    streams.push({ level: 'debug', stream });
  }
  if (options.dir !== undefined) {
    mkdirSync(options.dir, { recursive: true });
    for (const level of FILE_LEVELS) {
      streams.push({
        level,
        stream: pino.destination({ dest: join(options.dir, `${level}.log`), sync: false, mkdir: true }),
      });
    }
  }
  return pino(
    { level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
