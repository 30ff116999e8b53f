import { badInput } from '@fluxi/common';
import { quote } from './names.js';

export const MAX_ARTIFACT_PATHS = 100;
const MAX_PATH = 1024;

/**
 * Validates artifact paths: globs relative to the job's work folder, so no absolute
 * paths and no `..` segments (nothing outside the work folder is saved).
 */
export function validateArtifacts(value: ReadonlyArray<string> | null | undefined, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (value.length > MAX_ARTIFACT_PATHS) {
    throw badInput(`at most ${MAX_ARTIFACT_PATHS} artifact paths, got ${value.length}`, field);
  }
  const paths: string[] = [];
  value.forEach((path, index) => {
    const at = `${field}[${index}]`;
    if (path.trim() === '') throw badInput('an artifact path must not be blank', at);
    if (path.length > MAX_PATH) throw badInput(`artifact path is longer than ${MAX_PATH} characters`, at);
    if (path.includes('\0')) throw badInput('an artifact path must not contain NUL characters', at);
    if (/^([/\\]|[A-Za-z]:)/.test(path) || path.startsWith('~')) {
      throw badInput(`artifact path ${quote(path)} is absolute: use a path relative to the work folder`, at);
    }
    if (path.split(/[/\\]/).includes('..')) {
      throw badInput(`artifact path ${quote(path)} must not contain ".." segments`, at);
    }
    if (paths.includes(path)) throw badInput(`artifact path ${quote(path)} is listed twice`, at);
    paths.push(path);
  });
  return paths;
}
