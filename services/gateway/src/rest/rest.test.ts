import { describe, expect, it } from 'vitest';
import { documentOf, restField } from './operation.js';
import { problem } from './problem.js';
import { csv, decodeCursor, encodeCursor, fromConnection, paginate } from './route.js';
import { Job } from './schemas/catalog.js';
import { selectionOf } from './selection.js';
import { z } from './zod.js';

describe('selectionOf', () => {
  it('selects every field of the schema, nested objects through optional, nullable and arrays', () => {
    const schema = z.object({
      id: z.string(),
      inner: z.object({ a: z.number(), deep: z.array(z.object({ b: z.string() })).nullish() }).nullable(),
    });
    expect(selectionOf(schema)).toBe('{ id inner { a deep { b } } }');
    expect(selectionOf(z.array(schema))).toBe(selectionOf(schema));
    expect(selectionOf(z.string())).toBe('');
    expect(selectionOf(Job)).toContain('retry { on exitCodes backoff delaySec maxDelaySec jitter }');
  });
});

describe('documentOf', () => {
  it('declares the arguments, passes those of the field, selects the schema', () => {
    expect(documentOf('mutation', 'copyJob', { id: 'ID!', name: 'String' }, z.object({ id: z.string() }))).toBe(
      'mutation Rest($id: ID!, $name: String) { copyJob(id: $id, name: $name) { id } }',
    );
    expect(
      documentOf('query', 'schedule', { id: 'ID!', $first: 'Int' }, '{ history(first: $first) { endCursor } }'),
    ).toBe('query Rest($id: ID!, $first: Int) { schedule(id: $id) { history(first: $first) { endCursor } } }');
    expect(documentOf('query', 'exportDefinitions', {})).toBe('query Rest { exportDefinitions }');
  });
});

describe('problems', () => {
  it('maps codes to statuses, with the reason phrase as title', () => {
    const cases: Array<[string, number, string]> = [
      ['BAD_USER_INPUT', 400, 'Bad Request'],
      ['UNAUTHENTICATED', 401, 'Unauthorized'],
      ['FORBIDDEN', 403, 'Forbidden'],
      ['NOT_FOUND', 404, 'Not Found'],
      ['CONFLICT', 409, 'Conflict'],
      ['RATE_LIMITED', 429, 'Too Many Requests'],
      ['UNAVAILABLE', 503, 'Service Unavailable'],
      ['INTERNAL', 500, 'Internal Server Error'],
      ['SOMETHING_ELSE', 500, 'Internal Server Error'],
    ];
    for (const [code, status, title] of cases) {
      expect(problem({ code, detail: 'd' })).toEqual({ type: 'about:blank', title, status, detail: 'd', code });
    }
    expect(problem({ code: 'INTERNAL', detail: 'internal error', errorId: 'E1' }).errorId).toBe('E1');
  });

  it('names the body field of a GraphQL error’s input field', () => {
    expect(restField('input.stages[0].entries[1].jobId')).toBe('stages[0].entries[1].jobId');
    expect(restField('id')).toBe('id');
    expect(restField(undefined)).toBeUndefined();
    expect(restField('')).toBeUndefined();
  });
});

describe('pages', () => {
  it('pages a whole list with opaque offset cursors', () => {
    const items = [1, 2, 3, 4, 5];
    const first = paginate(items, { limit: 2 });
    expect(first.items).toEqual([1, 2]);
    const second = paginate(items, { limit: 2, cursor: first.nextCursor as string });
    expect(second.items).toEqual([3, 4]);
    expect(paginate(items, { limit: 2, cursor: second.nextCursor as string })).toEqual({
      items: [5],
      nextCursor: null,
    });
    expect(paginate(items, {})).toEqual({ items, nextCursor: null });
    expect(decodeCursor(encodeCursor(40))).toBe(40);
    expect(() => decodeCursor('bm9wZQ')).toThrow(/cursor/);
  });

  it('turns a connection into a page', () => {
    expect(fromConnection({ nodes: [1], endCursor: 'c', hasNextPage: true })).toEqual({ items: [1], nextCursor: 'c' });
    expect(fromConnection({ nodes: [1], endCursor: 'c', hasNextPage: false })).toEqual({
      items: [1],
      nextCursor: null,
    });
  });

  it('reads comma-separated or repeated enum parameters', () => {
    expect(csv('error, warn', ['ERROR', 'WARN'], 'level')).toEqual(['ERROR', 'WARN']);
    expect(csv(['ERROR', 'WARN'], ['ERROR', 'WARN'], 'level')).toEqual(['ERROR', 'WARN']);
    expect(csv(undefined, ['ERROR'], 'level')).toBeUndefined();
    expect(() => csv('LOUD', ['ERROR'], 'level')).toThrow(/LOUD/);
  });
});
