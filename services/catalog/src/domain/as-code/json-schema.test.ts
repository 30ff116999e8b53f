import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDefinitions } from './check.js';
import { definitionsJsonSchema, JSON_SCHEMA_FILE } from './json-schema.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the published JSON Schema of fluxi.yaml', () => {
  it('is the one generated from the zod schema (run `npm run schema:write -w @fluxi/catalog` after a build)', () => {
    // Compared as JSON: the committed file is formatted by Prettier.
    const committed: unknown = JSON.parse(readFileSync(join(packageRoot, JSON_SCHEMA_FILE), 'utf8'));
    expect(committed).toEqual(JSON.parse(definitionsJsonSchema()));
  });

  it('describes the sections, closed to unknown keys', () => {
    const schema = JSON.parse(definitionsJsonSchema()) as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(['version', 'jobs', 'pipelines', 'schedules']);
    expect(schema.required).toEqual(['version']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts the example of docs/pipelines-as-code.md', () => {
    const doc = readFileSync(join(packageRoot, 'docs', 'pipelines-as-code.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const read = readDefinitions(example, { jobs: new Set(), pipelines: new Set() });
    expect(read.ok ? [] : read.problems).toEqual([]);
    expect(read.ok && [...read.definitions.schedules.keys()]).toEqual(['nightly', 'release', 'sweep']);
  });
});
