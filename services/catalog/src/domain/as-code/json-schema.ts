import { z } from 'zod';
import { definitionsFileSchema } from './schema.js';

/** Where the published schema lives, relative to the catalog package. */
export const JSON_SCHEMA_FILE = 'docs/fluxi.schema.json';

/** The JSON Schema of `fluxi.yaml`, generated from the zod schema (pretty, with a final newline). */
export function definitionsJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(definitionsFileSchema), null, 2)}\n`;
}
