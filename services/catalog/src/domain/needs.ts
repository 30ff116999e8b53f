import { badInput } from '@fluxi/common';
import { findCycle } from './dag.js';
import { quote } from './names.js';

/** An entry's name and needs, with its stage index and field path, for the checks below. */
export interface LocatedEntry {
  name: string;
  needs: readonly string[];
  stage: number;
  stageName: string;
  path: string;
  /** Entries whose artifacts it takes; null: all it waits for. */
  artifactsFrom?: readonly string[] | null;
  startAtOnce?: boolean;
}

/**
 * Unknown needs, self needs, needs on later stages, then cycles (the message names
 * every entry on the cycle, the field is the need that closes it).
 */
export function checkNeeds(entries: ReadonlyMap<string, LocatedEntry>): void {
  for (const entry of entries.values()) {
    entry.needs.forEach((need, n) => {
      const field = `${entry.path}.needs[${n}]`;
      const target = entries.get(need);
      if (need === entry.name) throw badInput(`entry ${quote(entry.name)} cannot need itself`, field);
      if (target === undefined) {
        throw badInput(
          `entry ${quote(entry.name)} needs ${quote(need)}, which is not an entry of this pipeline`,
          field,
        );
      }
      if (target.stage > entry.stage) {
        throw badInput(
          `entry ${quote(entry.name)} (stage ${quote(entry.stageName)}) needs ${quote(need)} of the later stage ` +
            `${quote(target.stageName)}; an entry can only need entries of its own or an earlier stage`,
          field,
        );
      }
    });
  }
  for (const entry of entries.values()) checkArtifactsFrom(entry, entries);
  const names = [...entries.keys()];
  const cycle = findCycle(names, new Map(names.map((name) => [name, entries.get(name)?.needs ?? []])));
  if (cycle !== undefined) {
    const [from, to] = cycle as [string, string];
    const located = entries.get(from) as LocatedEntry;
    throw badInput(
      `needs form a cycle: ${cycle.map((name) => quote(name)).join(' → ')}`,
      `${located.path}.needs[${located.needs.indexOf(to)}]`,
    );
  }
}

/** An entry takes artifacts only from entries it waits for: its needs, else earlier stages. */
function checkArtifactsFrom(entry: LocatedEntry, entries: ReadonlyMap<string, LocatedEntry>): void {
  (entry.artifactsFrom ?? []).forEach((from, n) => {
    const target = entries.get(from);
    const waits =
      entry.startAtOnce !== true &&
      target !== undefined &&
      (entry.needs.length > 0 ? entry.needs.includes(from) : target.stage < entry.stage);
    if (!waits) {
      throw badInput(
        `entry ${quote(entry.name)} takes the artifacts of ${quote(from)}, which it does not wait for ` +
          '(its needs, else the entries of earlier stages)',
        `${entry.path}.artifactsFrom[${n}]`,
      );
    }
  });
}
