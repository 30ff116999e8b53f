import { badInput } from '@fluxi/common';
import { DEFAULT_POOL, ROUTE_NAME, ROUTE_NAME_RULE } from '@fluxi/contracts';
import { quote } from './names.js';

/** Most tags a job (or a pipeline entry) may require. */
export const MAX_TAGS = 16;
export { DEFAULT_POOL };

/** A pool name, or undefined/null/"" for none. Throws BAD_USER_INPUT naming the rule. */
export function optionalPool(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!ROUTE_NAME.test(value)) throw badInput(`pool ${quote(value)} is invalid: use ${ROUTE_NAME_RULE}`, field);
  return value;
}

/** Tags an executor must all carry: valid names, each once, at most MAX_TAGS. Kept in the order given. */
export function validateTags(value: ReadonlyArray<string> | null | undefined, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (value.length > MAX_TAGS) throw badInput(`at most ${MAX_TAGS} tags, got ${value.length}`, field);
  const tags: string[] = [];
  value.forEach((tag, index) => {
    const at = `${field}[${index}]`;
    if (typeof tag !== 'string' || !ROUTE_NAME.test(tag)) {
      throw badInput(`tag ${quote(tag)} is invalid: use ${ROUTE_NAME_RULE}`, at);
    }
    if (tags.includes(tag)) throw badInput(`tag ${quote(tag)} is listed twice`, at);
    tags.push(tag);
  });
  return tags;
}
