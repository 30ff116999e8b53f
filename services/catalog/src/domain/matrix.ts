import { badInput } from '@fluxi/common';
import { ENV_NAME_RULE, isEnvName, quote } from './names.js';

/** One variable of a matrix (set as an environment variable) and the values it takes. */
export interface MatrixAxis {
  name: string;
  values: string[];
}

export interface MatrixAxisInput {
  name?: string | null;
  values?: ReadonlyArray<string> | null;
}

export const MAX_AXES = 10;
export const MAX_COMBINATIONS = 256;
const MAX_VALUE = 1024;

/**
 * Validates a matrix: at most 10 axes with distinct env-var names, each a non-empty
 * list of distinct values, at most 256 combinations in all.
 */
export function validateMatrix(input: ReadonlyArray<MatrixAxisInput> | null | undefined, field: string): MatrixAxis[] {
  if (input === undefined || input === null) return [];
  if (input.length > MAX_AXES) throw badInput(`a matrix has at most ${MAX_AXES} axes, got ${input.length}`, field);
  const axes: MatrixAxis[] = [];
  let combinations = 1;
  input.forEach((axis, a) => {
    const at = `${field}[${a}]`;
    const name = axis.name ?? '';
    if (!isEnvName(name)) {
      throw badInput(`matrix axis name ${quote(name)} is invalid: use ${ENV_NAME_RULE}`, `${at}.name`);
    }
    const first = axes.findIndex((other) => other.name === name);
    if (first >= 0)
      throw badInput(`matrix axis ${name} is defined twice (matrix[${first}] and matrix[${a}])`, `${at}.name`);
    const values = axisValues(axis.values ?? [], name, `${at}.values`);
    combinations *= values.length;
    if (combinations > MAX_COMBINATIONS) {
      throw badInput(`the matrix has more than ${MAX_COMBINATIONS} combinations (at axis ${name})`, `${at}.values`);
    }
    axes.push({ name, values });
  });
  return axes;
}

function axisValues(values: ReadonlyArray<string>, axis: string, field: string): string[] {
  if (values.length === 0) throw badInput(`matrix axis ${axis} needs at least one value`, field);
  const out: string[] = [];
  values.forEach((value, v) => {
    const at = `${field}[${v}]`;
    if (value.length > MAX_VALUE) throw badInput(`a matrix value is longer than ${MAX_VALUE} characters`, at);
    if (value.includes('\0')) throw badInput('a matrix value must not contain NUL characters', at);
    if (out.includes(value)) throw badInput(`matrix axis ${axis} lists ${quote(value)} twice`, at);
    out.push(value);
  });
  return out;
}
