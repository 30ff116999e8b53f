// Writes docs/fluxi.schema.json from the zod schema (build first: npm run build at the root),
// formatted by Prettier like the rest of the repository.
// src/domain/as-code/json-schema.test.ts fails when the committed file drifts from the schema.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { definitionsJsonSchema, JSON_SCHEMA_FILE } from '../dist/domain/as-code/json-schema.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', JSON_SCHEMA_FILE);
const options = { ...(await resolveConfig(file)), filepath: file };
writeFileSync(file, await format(definitionsJsonSchema(), options));
console.log(`wrote ${JSON_SCHEMA_FILE}`);
