import {
  contextFailure,
  contextNames,
  missingContext,
  substituteContexts,
  type ContextFailure,
} from '../domain/contexts.js';
import type { AttemptRef } from '../domain/messages.js';
import type { DriverResult } from '../domain/outcome.js';
import type { OutputSink } from '../drivers/driver.js';
import type { ContextResolver } from '../transport/context-resolver.js';

/** The command to run with the variables holding its context values, or how the attempt ends without running it. */
export type CommandResolution = { command: string; env: Record<string, string> } | { result: DriverResult };

/**
 * Substitutes the `$$(name)` references of `command` with values asked of the
 * scheduler (one request for the distinct names; none when there are no
 * references). An unknown context fails the job; no answer is infrastructure trouble.
 */
export async function resolveCommand(
  command: string,
  ref: AttemptRef,
  resolver: ContextResolver,
  output: OutputSink,
): Promise<CommandResolution> {
  const names = contextNames(command);
  if (names.length === 0) return { command, env: {} };
  const fail = (result: ContextFailure): CommandResolution => {
    output.system(result.reason);
    return { result };
  };
  let answer;
  try {
    answer = await resolver.resolve(ref, names);
  } catch (error) {
    return fail({
      kind: 'infrastructure',
      reason: `could not resolve contexts ${names.join(', ')}: ${(error as Error).message}`,
    });
  }
  if ('error' in answer) return fail(contextFailure(answer.error, names));
  const missing = missingContext(names, answer.values);
  if (missing !== undefined) {
    return fail({ kind: 'jobError', reason: `unknown context "${missing}": the scheduler returned no value for it` });
  }
  output.system(`resolved ${names.length === 1 ? 'context' : 'contexts'} ${names.join(', ')}`);
  return substituteContexts(command, answer.values);
}
