import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { contextFailure, contextNames, missingContext, substituteContexts } from './contexts.js';

const values = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('contextNames', () => {
  it('finds distinct names in order, trimming spaces inside the parentheses', () => {
    expect(contextNames('echo $$(build) $$( deploy.v2 ) $$(build) $$(\tCJ01-x_y\t)')).toEqual([
      'build',
      'deploy.v2',
      'CJ01-x_y',
    ]);
  });

  it('finds nothing in a command without references', () => {
    expect(contextNames('kill -9 $$; echo $(date) $$ (x) $$() $$(a b)')).toEqual([]);
  });
});

describe('substituteContexts', () => {
  it('points every occurrence of a name at one variable holding its value', () => {
    expect(substituteContexts('a=$$(build) b=$$( build ) c=$$(test)', values({ build: '1.2', test: 'ok' }))).toEqual({
      command: 'a=${FLUXI_CONTEXT_1} b=${FLUXI_CONTEXT_1} c=${FLUXI_CONTEXT_2}',
      env: { FLUXI_CONTEXT_1: '1.2', FLUXI_CONTEXT_2: 'ok' },
    });
  });

  it('inserts values as data: a value holding $$(other) is not expanded', () => {
    expect(substituteContexts('echo $$(a) $$(b)', values({ a: '$$(b)', b: 'B' }))).toEqual({
      command: 'echo ${FLUXI_CONTEXT_1} ${FLUXI_CONTEXT_2}',
      env: { FLUXI_CONTEXT_1: '$$(b)', FLUXI_CONTEXT_2: 'B' },
    });
  });

  it('lets the shell expand a value without parsing it: no $$, command substitution or ;', () => {
    const value = "v1-$$(x) $(echo injected); echo `id` 'quoted'";
    const { command, env } = substituteContexts('printf "[%s]" "$$(a)"', values({ a: value }));
    const printed = execFileSync('/bin/sh', ['-c', command], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    expect(printed.toString()).toBe(`[${value}]`);
  });

  it('drops trailing newlines of a value, as $(…) does, and keeps inner ones', () => {
    expect(substituteContexts('echo "$$(a)"', values({ a: 'one\ntwo\n\n' })).env).toEqual({
      FLUXI_CONTEXT_1: 'one\ntwo',
    });
  });

  it('leaves a command without references unchanged', () => {
    expect(substituteContexts('echo $$ $(pwd)', values({}))).toEqual({ command: 'echo $$ $(pwd)', env: {} });
  });
});

describe('missingContext', () => {
  it('names the first name without a value', () => {
    expect(missingContext(['a', 'b', 'c'], values({ a: '', c: 'x' }))).toBe('b');
    expect(missingContext(['a'], values({ a: '' }))).toBeUndefined();
  });
});

describe('contextFailure', () => {
  it('turns NOT_FOUND into a job failure naming the context', () => {
    expect(
      contextFailure({ code: 'NOT_FOUND', message: 'context x does not exist', field: '' }, ['build', 'x']),
    ).toEqual({ kind: 'jobError', reason: 'unknown context "x": context x does not exist' });
  });

  it('names the context from the field, or the only one asked', () => {
    expect(contextFailure({ code: 'NOT_FOUND', message: 'no such context', field: 'b.c' }, ['a', 'b.c'])).toEqual({
      kind: 'jobError',
      reason: 'unknown context "b.c": no such context',
    });
    expect(contextFailure({ code: 'NOT_FOUND', message: 'no such context', field: '' }, ['only'])).toEqual({
      kind: 'jobError',
      reason: 'unknown context "only": no such context',
    });
  });

  it('does not take a name found inside a longer word', () => {
    expect(
      contextFailure({ code: 'NOT_FOUND', message: 'context build-x does not exist', field: '' }, ['build', 'other']),
    ).toEqual({ kind: 'jobError', reason: 'unknown context: context build-x does not exist' });
  });

  it('treats scheduler trouble as infrastructure', () => {
    expect(contextFailure({ code: 'INTERNAL', message: 'database down', field: '' }, ['a'])).toEqual({
      kind: 'infrastructure',
      reason: 'could not resolve contexts: INTERNAL database down',
    });
  });
});
