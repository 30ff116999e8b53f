/** Small readers for the plain values a parsed `.gitlab-ci.yml` holds. */

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scalar as GitLab reads it: strings as they are, numbers and booleans written out. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A string or a list of strings (nested lists flattened, as GitLab does for scripts). */
export function textList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => textList(item));
  const text = scalarText(value);
  return text === undefined ? [] : [text];
}

/** Deep merge of mappings as `extends` does it: mappings merge key by key, anything else is replaced. */
export function deepMerge(base: Raw, override: Raw): Raw {
  const merged: Raw = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const previous = merged[key];
    merged[key] = isRecord(previous) && isRecord(value) ? deepMerge(previous, value) : value;
  }
  return merged;
}

/** A Fluxi name from a GitLab one: other characters become "-" (`test:unit 1/2` → `test-unit-1-2`). */
export function fluxiName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  return cleaned === '' ? 'job' : cleaned;
}

/** `name`, or `name-2`, `name-3`... whichever is not taken yet; marks it taken. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name.slice(0, 95)}-${n}`;
  taken.add(candidate);
  return candidate;
}
