/** Seconds per unit, for GitLab durations such as `1h 30m`, `3 hours`, `90 minutes`, `1 day`. */
const UNITS: ReadonlyArray<[RegExp, number]> = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3600],
  [/^(d|days?)$/, 86_400],
  [/^(w|wks?|weeks?)$/, 604_800],
];

/**
 * Parses a GitLab duration into whole seconds: unit groups (`1h 30m`, `2 hours and
 * 10 minutes`), `hh:mm:ss` / `mm:ss`, or a bare number of seconds. Undefined when unreadable.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (/^\d+(:\d{1,2}){1,2}$/.test(text)) {
    return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  }
  const cleaned = text.replace(/\band\b|,/g, ' ');
  let total = 0;
  let matched = '';
  for (const [whole, amount, unit] of cleaned.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]*)/g)) {
    const seconds = unit === '' ? 1 : UNITS.find(([pattern]) => pattern.test(unit as string))?.[1];
    if (seconds === undefined) return undefined;
    total += Number(amount) * seconds;
    matched += whole;
  }
  if (matched === '' || matched.replace(/\s/g, '') !== cleaned.replace(/\s/g, '')) return undefined;
  return Math.round(total);
}
