import { FluxiError } from '@fluxi/common';

/** A path in the YAML document: map keys and sequence indexes. */
export type YamlPath = ReadonlyArray<string | number>;

/** One fault of a definitions file, where it is and what is wrong. */
export interface DefinitionProblem {
  /** 1-based; null when the fault has no place in the text. */
  line: number | null;
  column: number | null;
  /** YAML field path (`pipelines.ci.stages[0].jobs[1].needs[0]`); "" for the document itself. */
  field: string;
  message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['pipelines', 'ci', 'stages', 0]` → `pipelines.ci.stages[0]`; other keys in brackets: `jobs["a.b"]`. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `input.stages[0].entries[1].needs[0]` → `['stages', 0, 'entries', 1, 'needs', 0]` (the root dropped). */
export function parseFieldPath(field: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments.slice(1);
}

/** `fluxi.yaml:14:9 pipelines.ci.stages[0].jobs[1].needs[0]: message` */
export function formatProblem(problem: DefinitionProblem, fileName = 'fluxi.yaml'): string {
  const where = problem.line === null ? fileName : `${fileName}:${problem.line}:${problem.column ?? 1}`;
  return `${where}${problem.field === '' ? '' : ` ${problem.field}`}: ${problem.message}`;
}

/** Orders problems by place in the text (those without a place last), keeping ties in order. */
export function byPosition(problems: readonly DefinitionProblem[]): DefinitionProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}

/** The BAD_USER_INPUT error for a refused file: the first problem with its line, the field its YAML path. */
export function problemsError(problems: readonly DefinitionProblem[], fileName = 'fluxi.yaml'): FluxiError {
  const [first] = problems;
  if (first === undefined) return new FluxiError('INTERNAL', 'no problem to report');
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new FluxiError('BAD_USER_INPUT', `${formatProblem(first, fileName)}${more}`, {
    field: first.field,
    ...(first.line === null ? {} : { line: first.line }),
    ...(first.column === null ? {} : { column: first.column }),
  });
}
