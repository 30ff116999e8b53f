import { badInput, FluxiError } from '@fluxi/common';
import type { Operations } from './operation.js';
import type { z } from './zod.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The least role the operation needs (enforced by the GraphQL operations it runs, documented here). */
export type Role = 'reader' | 'writer' | 'admin';

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

/**
 * One REST operation: its path and schemas (which validate the request, shape the answer and
 * make the OpenAPI document) and the GraphQL operations it runs.
 */
export interface RouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
> {
  method: Method;
  /** Under /api/v1, OpenAPI style: /jobs/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  role: Role;
  params?: P;
  query?: Q;
  body?: B;
  /** A valid body, shown in the document (the linter checks it against the schema). */
  example?: unknown;
  /** Whether the body may be left out (an empty body is then {}). */
  bodyOptional?: boolean;
  status: 200 | 201 | 204;
  /** The answer's schema; none for 204. */
  response?: z.ZodType;
  handle(gql: Operations, input: RouteInput<P, Q, B>): Promise<unknown>;
}

/** A route with its types erased, as the router and the document generator see it. */
export type RestRoute = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function route<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
>(spec: RouteSpec<P, Q, B>): RestRoute {
  return spec as unknown as RestRoute;
}

/** The value, or NOT_FOUND for a query that answered null. */
export function found<T>(value: T | null | undefined, what: string, id: string): T {
  if (value === null || value === undefined) throw new FluxiError('NOT_FOUND', `${what} ${id} does not exist`);
  return value;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const DEFAULT_LIMIT = 20;

/** Opaque cursors of the lists the gateway pages itself: the offset of the next item. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (match === null) throw badInput('cursor is not a cursor this list gave', 'cursor');
  return Number(match[1]);
}

/** A page of a whole list (the catalog's lists have no paging of their own). */
export function paginate<T>(items: T[], query: { limit?: number | undefined; cursor?: string | undefined }): Page<T> {
  const offset = decodeCursor(query.cursor);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const end = offset + limit;
  return { items: items.slice(offset, end), nextCursor: end < items.length ? encodeCursor(end) : null };
}

/** A GraphQL connection page (nodes, endCursor, hasNextPage) as a REST page. */
export function fromConnection<T>(page: { nodes: T[]; endCursor: string | null; hasNextPage: boolean }): Page<T> {
  return { items: page.nodes, nextCursor: page.hasNextPage ? page.endCursor : null };
}

/** `ERROR,WARN` or a repeated parameter, each value one of `allowed`. */
export function csv(
  value: string | string[] | undefined,
  allowed: readonly string[],
  field: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim().toUpperCase())
    .filter((item) => item !== '');
  const wrong = items.find((item) => !allowed.includes(item));
  if (wrong !== undefined) throw badInput(`${field} ${wrong} is not one of ${allowed.join(', ')}`, field);
  return items.length === 0 ? undefined : items;
}
