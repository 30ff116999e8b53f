import { z } from '../zod.js';

export const Id = z.string().min(1).max(200);

/** Path parameter `{id}`. */
export const IdParams = z.object({ id: Id.openapi({ description: 'The id, as the API returned it.' }) });

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'about:blank' }),
    title: z.string().openapi({ description: 'The HTTP reason phrase.', example: 'Bad Request' }),
    status: z.number().int(),
    detail: z.string().openapi({ description: 'What went wrong, for a person.' }),
    code: z.string().openapi({
      description:
        'BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, CONFLICT, RATE_LIMITED, UNAVAILABLE or INTERNAL.',
    }),
    field: z.string().optional().openapi({
      description:
        'The input at fault: a path into the request body (stages[0].entries[1].jobId), or the name of a query or path parameter.',
    }),
    errorId: z.string().optional().openapi({
      description: 'For an internal error: the id under which the server logged it (quote it when reporting).',
    }),
  })
  .openapi('Problem', { description: 'An error (RFC 9457 problem details) with Fluxi’s code.' });

const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .optional()
  .openapi({ description: 'Items per page, 1 to 100 (default 20).', type: 'integer' });

const Cursor = z
  .string()
  .min(1)
  .optional()
  .openapi({ description: 'The nextCursor of the page before; absent for the first page.' });

/** `limit` and `cursor`, the paging parameters of every list. */
export const PageQuery = z.object({ limit: Limit, cursor: Cursor });

/** A page of `item`: `{ items, nextCursor }`, nextCursor null on the last page. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Give it as cursor for the next page; null: none.' }),
    })
    .openapi(name);
}

/** A list query parameter: `?level=ERROR,WARN` or `?level=ERROR&level=WARN`. */
export function csvParam(description: string, values: readonly string[]) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({ description: `${description} One or more of ${values.join(', ')}, comma-separated or repeated.` });
}
