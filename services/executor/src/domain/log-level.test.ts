import { describe, expect, it } from 'vitest';
import { LogLevel } from '@fluxi/contracts';
import { detectLevel, stripAnsi } from './log-level.js';

const { ERROR, WARN, INFO, DEBUG, UNSPECIFIED } = LogLevel;

/** Real lines from compilers, test runners, package managers and loggers, with the level they read as. */
const CASES: Array<[string, LogLevel]> = [
  // Plain level words.
  ['ERROR: relation "users" does not exist', ERROR],
  ['2024-05-01 12:00:00,123 ERROR [main] c.e.App - boom', ERROR],
  ['error: could not compile `fluxi` due to previous error', ERROR],
  ["Error: Cannot find module 'express'", ERROR],
  ['[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin', ERROR],
  ['[error] 12:00:01 build failed', ERROR],
  ["src/main.c:12:5: error: expected ';' before '}' token", ERROR],
  ['error[E0425]: cannot find value `x` in this scope', ERROR],
  ['fatal: not a git repository (or any of the parent directories): .git', ERROR],
  ['FATAL: password authentication failed for user "postgres"', ERROR],
  ['CRITICAL: disk full', ERROR],
  ['SEVERE: Servlet.service() threw exception', ERROR],
  ['panic: runtime error: index out of range [3] with length 3', ERROR],
  ['Traceback (most recent call last):', ERROR],
  ['Exception in thread "main" java.lang.NullPointerException', ERROR],
  ['npm ERR! code ELIFECYCLE', ERROR],
  ['npm error code E404', ERROR],
  ['::error file=app.js,line=1::Missing semicolon', ERROR],
  ['E1205 10:11:12.345678   12345 server.go:42] failed to connect', ERROR],
  ['F1205 10:11:12.345678   12345 main.go:10] cannot start', ERROR],
  // Warnings.
  ['WARN  deprecated request@2.88.2', WARN],
  ["WARNING: The requested image's platform does not match", WARN],
  ['warning: unused variable `y`', WARN],
  ['src/a.c:3:1: warning: implicit declaration of function', WARN],
  ['Warning: Accessing non-existent property', WARN],
  ['warn: connection slow', WARN],
  ['npm WARN deprecated har-validator@5.1.5', WARN],
  ['npm warn deprecated inflight@1.0.6', WARN],
  ['[WARNING] Using platform encoding', WARN],
  ['<warn> low memory', WARN],
  ['W1205 10:11:12.345678   12345 cache.go:7] cache miss storm', WARN],
  ['::warning::Node 16 is deprecated', WARN],
  // Info and debug.
  ['INFO  Starting server on :8080', INFO],
  ['2024-05-01T12:00:00Z INFO retrying after error: timeout', INFO],
  ['[INFO] BUILD SUCCESS', INFO],
  ['I1205 10:11:12.345678   12345 main.go:1] ready', INFO],
  ['npm notice New major version of npm available', INFO],
  ['DEBUG resolving dependency graph', DEBUG],
  ['TRACE entering parse()', DEBUG],
  ['[debug] cache hit', DEBUG],
  ['npm verb cli /usr/bin/node', DEBUG],
  // Structured lines.
  ['{"level":"error","msg":"db down","time":1714567890}', ERROR],
  ['{"level":50,"time":1714567890,"msg":"pino error"}', ERROR],
  ['{"level":40,"msg":"pino warn"}', WARN],
  ['{"level":30,"msg":"pino info"}', INFO],
  ['{"level":20,"msg":"pino debug"}', DEBUG],
  ['{"severity":"WARNING","message":"gcp"}', WARN],
  ['{"msg":"no level field","error":"a key is not a level"}', UNSPECIFIED],
  ['time=2024-05-01T12:00:00Z level=warn msg="slow query" ms=1200', WARN],
  ['ts=1 level=error msg="boom"', ERROR],
  ['time="2024" level=info msg="started"', INFO],
  ['level="debug" msg=x', DEBUG],
  // Nothing to go by.
  ['Compiling fluxi v0.1.0 (/work/fluxi)', UNSPECIFIED],
  ['  ✓ adds two numbers (3 ms)', UNSPECIFIED],
  ['Tests: 0 errors, 12 passed', UNSPECIFIED],
  ['error handling tests passed', UNSPECIFIED],
  ['ERROR_CODE=5 written to env', UNSPECIFIED],
  ['Stack trace: see below', UNSPECIFIED],
  ['For more information: https://example.org', UNSPECIFIED],
  ['', UNSPECIFIED],
];

describe('detectLevel', () => {
  it.each(CASES)('%j reads as %s', (line, level) => {
    expect(LogLevel[detectLevel(line)]).toBe(LogLevel[level]);
  });

  it('ignores ANSI colour codes for detection', () => {
    expect(detectLevel('\x1b[31mERROR\x1b[0m something broke')).toBe(ERROR);
    expect(detectLevel('\x1b[33mwarning\x1b[39m: deprecated')).toBe(WARN);
    expect(detectLevel('\x1b[1m\x1b[31merror\x1b[0m\x1b[1m: aborting\x1b[0m')).toBe(ERROR);
    expect(detectLevel('\x1b]0;title\x07[INFO] done')).toBe(INFO);
  });

  it('takes the earliest level word', () => {
    expect(detectLevel('WARN: retrying after ERROR')).toBe(WARN);
    expect(detectLevel('DEBUG error: not really')).toBe(DEBUG);
  });

  it('looks only at the start of a very long line', () => {
    expect(detectLevel(`${'x'.repeat(500)} ERROR late`)).toBe(UNSPECIFIED);
    expect(detectLevel(`ERROR ${'x'.repeat(100_000)}`)).toBe(ERROR);
  });
});

describe('stripAnsi', () => {
  it('removes colour and title sequences and keeps the text', () => {
    expect(stripAnsi('\x1b[1;31mred\x1b[0m plain \x1b]0;t\x07end')).toBe('red plain end');
    expect(stripAnsi('no escapes')).toBe('no escapes');
  });
});
