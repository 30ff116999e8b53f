import { badInput } from '@fluxi/common';

/** A pipeline variable as a trigger gives it (GraphQL PipelineVariableInput). */
export interface PipelineVariableInput {
  readonly name: string;
  readonly value: string;
}

/** Bounds of a trigger's variables: they ride in the run row and in every job run's env. */
export const PIPELINE_VARIABLE_LIMITS = { count: 50, nameLength: 128, valueBytes: 10_240, totalBytes: 65_536 };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Set by the executor for every attempt; a pipeline variable could not change them. */
const RESERVED_PREFIX = 'FLUXI_';

/**
 * A trigger's pipeline variables (GitLab's "run pipeline" / trigger API variables) checked
 * and keyed by name: shell names, no FLUXI_* name, no name twice, bounded count and size.
 * Values are plain text: nothing is masked, secrets belong in secrets.
 */
export function pipelineVariablesOf(
  input: readonly PipelineVariableInput[] | null | undefined,
  field = 'variables',
): Record<string, string> {
  const variables: Record<string, string> = {};
  if (input === null || input === undefined) return variables;
  const limits = PIPELINE_VARIABLE_LIMITS;
  if (input.length > limits.count) throw badInput(`${field}: at most ${limits.count} variables`, field);
  let total = 0;
  for (const [index, { name, value }] of input.entries()) {
    const at = `${field}[${index}]`;
    if (!NAME.test(name) || name.length > limits.nameLength) {
      throw badInput(
        `${at}.name: "${name.slice(0, limits.nameLength)}" is not a variable name ([A-Za-z_][A-Za-z0-9_]*, at most ${limits.nameLength} characters)`,
        `${at}.name`,
      );
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      throw badInput(`${at}.name: ${name}: names starting with ${RESERVED_PREFIX} are Fluxi's own`, `${at}.name`);
    }
    if (Object.hasOwn(variables, name)) throw badInput(`${at}.name: ${name} is given twice`, `${at}.name`);
    const bytes = Buffer.byteLength(value);
    if (bytes > limits.valueBytes) {
      throw badInput(`${at}.value: the value of ${name} is over ${limits.valueBytes} bytes`, `${at}.value`);
    }
    total += bytes + name.length;
    if (total > limits.totalBytes) throw badInput(`${field}: over ${limits.totalBytes} bytes in all`, field);
    variables[name] = value;
  }
  return variables;
}

/**
 * The variables of one job run, by GitLab's precedence from weakest to strongest: the run's
 * predefined CI_* ones, the job run's own (CI_JOB_NAME, CI_NODE_*), the job's env (the file's
 * `variables`), the pipeline variables given at trigger time, then the matrix cell's values
 * (they define the cell). The executor's FLUXI_*, CI, CI_JOB_ID, CI_PIPELINE_ID and
 * CI_PROJECT_DIR win over all of them.
 */
export function jobRunVariables(parts: {
  readonly run: Readonly<Record<string, string>>;
  readonly jobRun: Readonly<Record<string, string>>;
  readonly jobEnv: Readonly<Record<string, string>> | undefined;
  readonly pipeline: Readonly<Record<string, string>> | undefined;
  readonly matrix: readonly { readonly name: string; readonly value: string }[];
}): Record<string, string> {
  const env: Record<string, string> = { ...parts.run, ...parts.jobRun, ...parts.jobEnv, ...parts.pipeline };
  for (const { name, value } of parts.matrix) env[name] = value;
  return env;
}
