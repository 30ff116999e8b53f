import { LogLevel } from '@fluxi/contracts';

/**
 * The level a line of job output reads as, from the patterns build tools and loggers
 * print; LogLevel.UNSPECIFIED when none is recognised (most output of a build: compiler
 * progress, test names, `echo`), so a level filter shows only lines that said their level.
 *
 * In order:
 * 1. ANSI escape sequences (colours) are ignored; the stored text keeps them.
 * 2. Structured lines: a JSON object with `"level"`, `"severity"`, `"lvl"` or `"loglevel"`
 *    (names, or pino/bunyan numbers: 10 trace … 60 fatal), or logfmt `level=warn`.
 * 3. Whole-line forms: glog/klog (`E1205 12:00:00.000 …`), `Traceback (most recent call last)`,
 *    `Exception in thread …`, `npm ERR!` / `npm WARN`, GitHub workflow commands `::error::`.
 * 4. The first level word in the first 200 characters: an upper-case word (`ERROR`, `FATAL`,
 *    `WARN`, `WARNING`, `INFO`, `DEBUG`, `TRACE`…), a word of any case in brackets
 *    (`[error]`, `<warn>`, `(Info)`), or a word of any case before a colon (`error:`,
 *    `Warning:`, `error[E0425]:`, `panic:`). The earliest wins: `INFO retrying after error:`
 *    is INFO. Lower-case words alone (`0 errors`) are not levels.
 */
export function detectLevel(line: string): LogLevel {
  const text = stripAnsi(line.length > 2048 ? line.slice(0, 2048) : line);
  return structuredLevel(text) ?? wholeLineLevel(text) ?? firstLevelWord(text) ?? LogLevel.UNSPECIFIED;
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

const NAMES: Record<string, LogLevel> = {
  error: LogLevel.ERROR,
  err: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  critical: LogLevel.ERROR,
  crit: LogLevel.ERROR,
  severe: LogLevel.ERROR,
  panic: LogLevel.ERROR,
  emerg: LogLevel.ERROR,
  emergency: LogLevel.ERROR,
  alert: LogLevel.ERROR,
  warn: LogLevel.WARN,
  warning: LogLevel.WARN,
  info: LogLevel.INFO,
  information: LogLevel.INFO,
  informational: LogLevel.INFO,
  notice: LogLevel.INFO,
  debug: LogLevel.DEBUG,
  trace: LogLevel.DEBUG,
  verbose: LogLevel.DEBUG,
  fine: LogLevel.DEBUG,
  finer: LogLevel.DEBUG,
  finest: LogLevel.DEBUG,
};

const levelNamed = (name: string): LogLevel | undefined => NAMES[name.toLowerCase()];

/** pino / bunyan numeric levels. */
function numericLevel(value: number): LogLevel | undefined {
  if (value >= 50) return LogLevel.ERROR;
  if (value >= 40) return LogLevel.WARN;
  if (value >= 30) return LogLevel.INFO;
  if (value >= 10) return LogLevel.DEBUG;
  return undefined;
}

const JSON_LEVEL = /"(?:level|severity|lvl|loglevel|log\.level|levelname)"\s*:\s*(?:"([A-Za-z]+)"|(\d+))/i;
const LOGFMT_LEVEL = /(?:^|\s)(?:level|lvl|severity)=(?:"([A-Za-z]+)"|([A-Za-z]+))(?=\s|$)/i;

function structuredLevel(text: string): LogLevel | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const match = JSON_LEVEL.exec(trimmed);
    if (match !== null) {
      return match[1] !== undefined ? levelNamed(match[1]) : numericLevel(Number(match[2]));
    }
  }
  const logfmt = LOGFMT_LEVEL.exec(text);
  return logfmt === null ? undefined : levelNamed(logfmt[1] ?? logfmt[2] ?? '');
}

const GLOG = /^\s*([EWIF])\d{4} \d{2}:\d{2}:\d{2}/;
const GLOG_LEVELS: Record<string, LogLevel> = {
  E: LogLevel.ERROR,
  F: LogLevel.ERROR,
  W: LogLevel.WARN,
  I: LogLevel.INFO,
};

function wholeLineLevel(text: string): LogLevel | undefined {
  const glog = GLOG.exec(text);
  if (glog !== null) return GLOG_LEVELS[glog[1] as string];
  if (/^\s*Traceback \(most recent call last\)/.test(text)) return LogLevel.ERROR;
  if (/^\s*Exception in thread /.test(text)) return LogLevel.ERROR;
  const npm = /^npm (ERR!|error|WARN|warn|notice|verb|info)\b/.exec(text);
  if (npm !== null) {
    const word = (npm[1] as string).toLowerCase();
    return word.startsWith('err')
      ? LogLevel.ERROR
      : word === 'warn'
        ? LogLevel.WARN
        : word === 'verb'
          ? LogLevel.DEBUG
          : LogLevel.INFO;
  }
  const workflow = /^::(error|warning|notice|debug)\b/.exec(text);
  if (workflow !== null) return levelNamed(workflow[1] as string) ?? LogLevel.INFO;
  return undefined;
}

const WORDS = Object.keys(NAMES)
  .filter((name) => name !== 'fine' && name !== 'finer' && name !== 'finest' && name !== 'alert')
  .sort((a, b) => b.length - a.length)
  .join('|');
// Upper case, standing alone (not part of ERROR_CODE or NO_ERROR).
const UPPER = new RegExp(`(?<![\\w-])(${WORDS.toUpperCase()})(?![\\w-])`, 'g');
// Any case, in brackets: [error], <warn>, (Info).
const BRACKETED = new RegExp(`[\\[<(]\\s*(${WORDS})\\s*[\\]>)]`, 'gi');
// Any case, before a colon, optionally with a code: error:, Warning:, error[E0425]:, panic:.
// Not "Stack trace:" or "For more information:".
const COLON_WORDS = WORDS.split('|')
  .filter((name) => !['trace', 'information', 'informational', 'verbose'].includes(name))
  .join('|');
const COLON = new RegExp(`(?<![\\w-])(${COLON_WORDS})(?:\\[[^\\]\\s]{1,20}\\])?:(?!\\/)`, 'gi');
const SCAN_CHARS = 200;

function firstLevelWord(text: string): LogLevel | undefined {
  const head = text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text;
  let best: { index: number; word: string } | undefined;
  for (const pattern of [UPPER, BRACKETED, COLON]) {
    pattern.lastIndex = 0;
    const match = pattern.exec(head);
    if (match !== null && (best === undefined || match.index < best.index)) {
      best = { index: match.index, word: match[1] as string };
    }
  }
  return best === undefined ? undefined : levelNamed(best.word);
}
