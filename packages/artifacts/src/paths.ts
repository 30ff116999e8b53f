import { isAbsolute, relative, sep } from 'node:path';
import { FluxiError, isSafeId } from '@fluxi/common';

/** Throws BAD_USER_INPUT unless `jobRunId` is safe to use as a folder name. */
export function checkJobRunId(jobRunId: string): void {
  if (!isSafeId(jobRunId)) {
    throw new FluxiError('BAD_USER_INPUT', `invalid job run id ${JSON.stringify(jobRunId)}`, { field: 'jobRunId' });
  }
}

/** An artifact pattern made ready for matching, or why it is refused. */
export type PatternCheck = { pattern: string; wholeFolder: boolean } | { error: string };

/**
 * Normalizes a pattern of `artifact_paths`: surrounding spaces, `./` and empty or
 * `.` segments and trailing slashes go (`dist/` is the folder `dist`). Absolute
 * patterns, `..` segments and negations are refused: artifacts come from inside
 * the work folder. `.` (or an empty result) means the whole work folder.
 */
export function normalizePattern(raw: string): PatternCheck {
  const trimmed = raw.trim();
  if (trimmed === '') return { error: 'empty pattern' };
  if (trimmed.includes('\0')) return { error: 'pattern holds a NUL character' };
  if (trimmed.startsWith('!')) return { error: 'negated patterns are not supported' };
  if (isAbsolute(trimmed)) return { error: 'absolute pattern: artifact paths are relative to the work folder' };
  const segments = trimmed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { error: 'pattern leaves the work folder (..)' };
  const pattern = segments.join('/');
  return { pattern, wholeFolder: pattern === '' };
}

/**
 * A stored file's path as a client asks for it, made safe: relative, forward
 * slashes, no `..`, no NUL; undefined when refused.
 */
export function safeRelativePath(path: string): string | undefined {
  if (path === '' || path.includes('\0') || path.includes('\\') || isAbsolute(path)) return undefined;
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.includes('..')) return undefined;
  return segments.join('/');
}

/** Whether absolute `path` is `root` itself or inside it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Byte-order comparison, so listings are the same on every machine. */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
