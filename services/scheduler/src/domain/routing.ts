import type { StoredJson } from '../store/records.js';

/** Where a frozen JobSpec (proto JSON) runs: its pool ("default" when empty), required tags, maxConcurrent. */
export interface SpecRoute {
  readonly pool: string;
  readonly tags: readonly string[];
  /** 0: no limit. */
  readonly maxConcurrent: number;
}

export function routeOf(spec: StoredJson): SpecRoute {
  const fields = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? spec : {};
  const pool = typeof fields['pool'] === 'string' && fields['pool'] !== '' ? fields['pool'] : 'default';
  const tags = Array.isArray(fields['tags'])
    ? fields['tags'].filter((tag): tag is string => typeof tag === 'string')
    : [];
  const max = fields['maxConcurrent'];
  return { pool, tags, maxConcurrent: typeof max === 'number' && max > 0 ? max : 0 };
}
