import { z } from './zod.js';

/** The object schema inside optional, nullable and array wrappers; undefined for a scalar. */
function objectInside(schema: z.ZodType): z.ZodObject | undefined {
  let inner: z.ZodType = schema;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
    else if (inner instanceof z.ZodArray) inner = inner.element as z.ZodType;
    else return inner instanceof z.ZodObject ? inner : undefined;
  }
}

/**
 * The GraphQL selection set of a response schema: every field of the object, nested objects
 * selected likewise. So a REST answer has exactly the fields its schema (and the OpenAPI document)
 * says, under the names the GraphQL type has.
 */
export function selectionOf(schema: z.ZodType): string {
  const object = objectInside(schema);
  if (object === undefined) return '';
  const fields = Object.entries(object.shape).map(([name, field]) => {
    const nested = selectionOf(field as z.ZodType);
    return nested === '' ? name : `${name} ${nested}`;
  });
  return `{ ${fields.join(' ')} }`;
}
