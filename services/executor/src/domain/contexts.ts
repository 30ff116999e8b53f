import type { DriverResult } from './outcome.js';

/**
 * A context reference in a job's command: `$$(name)`, where name is a job name, a
 * pipeline name or a context id. Spaces and tabs inside the parentheses are ignored.
 */
const REFERENCE = /\$\$\([ \t]*([A-Za-z0-9_.-]+)[ \t]*\)/g;

/** The distinct names referenced in `command`, in order of first appearance. */
export function contextNames(command: string): string[] {
  const names = new Set<string>();
  for (const match of command.matchAll(REFERENCE)) names.add(match[1] as string);
  return [...names];
}

/** A command whose context references point at environment variables holding the values. */
export interface SubstitutedCommand {
  command: string;
  /** FLUXI_CONTEXT_1… → value, to add to the job's environment. */
  env: Record<string, string>;
}

/** Prefix of the variables holding context values (FLUXI_CONTEXT_1, FLUXI_CONTEXT_2…). */
export const CONTEXT_ENV_PREFIX = 'FLUXI_CONTEXT_';

/**
 * Replaces every reference with `${FLUXI_CONTEXT_n}` (one variable per distinct name)
 * and returns the values as those variables. The shell then expands each value as
 * data: nothing in it is parsed again, neither `$$( )` references nor `$`, backquotes
 * or `;`. As with the shell's `$(…)`, trailing newlines of a value are dropped. A name
 * without a value is left as written.
 */
export function substituteContexts(command: string, values: ReadonlyMap<string, string>): SubstitutedCommand {
  const variables = new Map<string, string>();
  const env: Record<string, string> = {};
  const substituted = command.replace(REFERENCE, (reference: string, name: string) => {
    const value = values.get(name);
    if (value === undefined) return reference;
    let variable = variables.get(name);
    if (variable === undefined) {
      variable = `${CONTEXT_ENV_PREFIX}${variables.size + 1}`;
      variables.set(name, variable);
      env[variable] = value.replace(/\n+$/, '');
    }
    return `\${${variable}}`;
  });
  return { command: substituted, env };
}

/** The first name without a value, if any. */
export function missingContext(names: readonly string[], values: ReadonlyMap<string, string>): string | undefined {
  return names.find((name) => !values.has(name));
}

/** A typed error the scheduler answered instead of values (ErrorDetail). */
export interface ContextError {
  code: string;
  message: string;
  field: string;
}

/** How an attempt ends when its contexts cannot be resolved. */
export type ContextFailure = Extract<DriverResult, { kind: 'jobError' | 'infrastructure' }>;

/** Error codes meaning the job asked for something wrong, rather than Fluxi failing. */
const JOB_FAULTS = new Set(['NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN']);

/**
 * How an attempt ends when its contexts could not be resolved: a job failure for an
 * unknown or refused context (named when the answer lets us tell which), an
 * infrastructure failure otherwise.
 */
export function contextFailure(error: ContextError, names: readonly string[]): ContextFailure {
  if (!JOB_FAULTS.has(error.code)) {
    return { kind: 'infrastructure', reason: `could not resolve contexts: ${error.code} ${error.message}` };
  }
  const name =
    names.find((candidate) => candidate === error.field) ??
    names.find((candidate) => mentions(error.message, candidate)) ??
    (names.length === 1 ? names[0] : undefined);
  const what = error.code === 'NOT_FOUND' ? 'unknown context' : 'context refused';
  return {
    kind: 'jobError',
    reason: name === undefined ? `${what}: ${error.message}` : `${what} "${name}": ${error.message}`,
  };
}

/** Whether `text` holds `name` as a whole word (name characters on neither side). */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.\\-]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_.-])`).test(text);
}
