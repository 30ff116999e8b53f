/** A statement's text and its parameters. */
export interface PendingStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Writes a transaction keeps back (job-run updates, contexts, stage records, run events): the
 * statement writing all that waits, its parameters numbered from `$<offset + 1>`; undefined when
 * nothing does. What it returns is no longer pending.
 */
export interface WriteBehind {
  takePending(offset: number): PendingStatement | undefined;
}

/**
 * What `sources` keep back, as one statement: each part but the last a data-modifying CTE of the
 * last. PGlite runs every statement at a cost of its own (~0.5–1 ms under load), so a step's
 * writes go out as one. The parts must not write one row twice (each source merges its own).
 */
export function takeAll(sources: readonly WriteBehind[]): PendingStatement | undefined {
  const parts: PendingStatement[] = [];
  const params: unknown[] = [];
  for (const source of sources) {
    const part = source.takePending(params.length);
    if (part === undefined) continue;
    parts.push(part);
    params.push(...part.params);
  }
  const last = parts.at(-1);
  if (last === undefined) return undefined;
  const ctes = parts.slice(0, -1).map((part, index) => `written_${index} AS (${part.sql})`);
  return { sql: ctes.length === 0 ? last.sql : `WITH ${ctes.join(', ')} ${last.sql}`, params };
}

/**
 * The arguments of an `unnest` over array parameters of these element types, numbered after `offset`:
 * `$<offset + 1>::text[], $<offset + 2>::int[]`…
 */
export function unnestArrays(offset: number, types: readonly string[]): string {
  return types.map((type, index) => `$${offset + index + 1}::${type}[]`).join(', ');
}
