import type { FileEntry } from '../schema.js';
import type { GitlabJob } from './read.js';
import { isRecord, textList, uniqueName } from './values.js';

/**
 * One entry, or one per `parallel: matrix` set (a Fluxi matrix is one cartesian product).
 * `entry` is the entry name wanted (the GitLab job's name, when its job had to be renamed).
 * Variable names that are not shell identifiers (`MY-VAR`) are renamed (`MY_VAR`).
 */
export function matrixEntries(
  gitlab: GitlabJob,
  job: string,
  entry: string,
  names: Set<string>,
  notMapped: string[],
): FileEntry[] {
  const parallel = gitlab.config['parallel'];
  const named = (name: string) => (name === job ? {} : { name });
  if (typeof parallel === 'number' && parallel > 1) {
    const indexes = Array.from({ length: parallel }, (_, i) => String(i + 1));
    const name = uniqueName(entry, names);
    return [{ job, ...named(name), matrix: { CI_NODE_INDEX: indexes, CI_NODE_TOTAL: [String(parallel)] } }];
  }
  const sets = isRecord(parallel) && Array.isArray(parallel['matrix']) ? parallel['matrix'].filter(isRecord) : [];
  if (parallel !== undefined && sets.length === 0 && typeof parallel !== 'number') {
    notMapped.push(`${gitlab.name}.parallel: not mapped`);
  }
  if (sets.length === 0) return [{ job, ...named(uniqueName(entry, names)) }];
  if (sets.length > 1)
    notMapped.push(`${gitlab.name}.parallel.matrix: ${sets.length} variable sets become ${sets.length} entries`);
  return sets.map((set, i) => {
    const name = uniqueName(sets.length === 1 ? entry : `${entry}-${i + 1}`, names);
    const axes = new Set<string>();
    const matrix = Object.fromEntries(
      Object.entries(set).map(([axis, values]) => {
        const renamed = uniqueName(axis.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_'), axes);
        if (renamed !== axis)
          notMapped.push(`${gitlab.name}.parallel.matrix: ${axis} is not a shell variable name: set as ${renamed}`);
        return [renamed, textList(values)];
      }),
    );
    return { job, ...named(name), matrix };
  });
}
