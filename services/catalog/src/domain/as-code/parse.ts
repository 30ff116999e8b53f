import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { byPosition, formatPath, type DefinitionProblem, type YamlPath } from './problems.js';
import { definitionsFileSchema, type DefinitionsFile } from './schema.js';
import { locator, type Locator } from './yaml-locate.js';

export interface ParsedDefinitions {
  /** The file's content when it is structurally valid. */
  file: DefinitionsFile | undefined;
  /** YAML and structural problems, in text order. */
  problems: DefinitionProblem[];
  /** Where a path is written, for problems found later. */
  locate: Locator;
}

/**
 * Parses a `fluxi.yaml` text (YAML 1.2, anchors and `<<` merge keys allowed) and checks
 * its structure against the schema, reporting every problem with its line and field.
 */
export function parseDefinitions(text: string): ParsedDefinitions {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
  const locate = locator(doc, lines);
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error): DefinitionProblem => {
      const { line, col } = lines.linePos(error.pos[0]);
      return { line, column: col, field: '', message: error.message };
    });
    return { file: undefined, problems, locate };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return { file: undefined, problems: [problem(locate, [], (error as Error).message)], locate };
  }
  if (data === null || data === undefined) {
    return {
      file: undefined,
      problems: [problem(locate, [], 'the file is empty: start it with "version: 1"')],
      locate,
    };
  }
  const result = definitionsFileSchema.safeParse(data);
  if (result.success) return { file: result.data, problems: [], locate };
  const problems = result.error.issues.flatMap((issue) => issueProblems(issue, data, locate));
  return { file: undefined, problems: byPosition(problems), locate };
}

export function problem(locate: Locator, path: YamlPath, message: string, at?: 'key'): DefinitionProblem {
  const position = locate(path, at);
  return { line: position?.line ?? null, column: position?.column ?? null, field: formatPath(path), message };
}

function issueProblems(issue: z.core.$ZodIssue, data: unknown, locate: Locator): DefinitionProblem[] {
  const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => problem(locate, [...path, key], `unknown key ${JSON.stringify(key)}`, 'key'));
    case 'invalid_type': {
      const value = valueAt(data, path);
      if (value === undefined) return [problem(locate, path, `${String(path.at(-1) ?? 'value')} is required`)];
      const custom = issue.message.startsWith('Invalid input') ? undefined : issue.message;
      return [
        problem(
          locate,
          path,
          custom ?? `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(value)}`,
        ),
      ];
    }
    case 'invalid_value': {
      if (issue.message === 'version must be 1') return [problem(locate, path, issue.message)];
      const allowed = issue.values.map((v) => String(v)).join(', ');
      return [problem(locate, path, `${describe(valueAt(data, path))} is not one of ${allowed}`)];
    }
    default:
      return [problem(locate, path, issue.message)];
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function valueAt(data: unknown, path: YamlPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}
