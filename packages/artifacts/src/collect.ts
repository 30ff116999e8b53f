import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { ignoreMissing } from './missing.js';
import { byPath, isInside, normalizePattern } from './paths.js';

/** A file chosen to be saved: where it is shown (`path`) and where its bytes are read (`source`). */
export interface FoundFile {
  /** Relative to the work folder, forward slashes. */
  path: string;
  source: string;
  sizeBytes: number;
}

/** Something a pattern matched that is not saved, and why. */
export interface SkippedPath {
  path: string;
  reason: string;
}

export interface Collected {
  files: FoundFile[];
  /** Patterns that matched no file. */
  unmatched: string[];
  skipped: SkippedPath[];
}

/**
 * Finds the files `patterns` match in `workdir`. A matched folder brings every
 * file under it. Nothing outside the work folder is taken: symbolic links are
 * followed only to files inside it, never to folders; what is left out is listed
 * in `skipped`, with files larger than `maxFileBytes`.
 */
export async function collectFiles(workdir: string, patterns: string[], maxFileBytes: number): Promise<Collected> {
  const root = await realpath(workdir);
  const files = new Map<string, FoundFile>();
  const skipped = new Map<string, SkippedPath>();
  const unmatched: string[] = [];
  for (const raw of patterns) {
    const check = normalizePattern(raw);
    if ('error' in check) {
      skipped.set(raw, { path: raw, reason: check.error });
      continue;
    }
    const walker = new Walker(
      root,
      maxFileBytes,
      check.wholeFolder ? () => true : picomatch(check.pattern, { dot: true }),
    );
    await walker.start(check.wholeFolder ? '' : picomatch.scan(check.pattern).base);
    if (walker.files.length === 0 && walker.skipped.length === 0) unmatched.push(raw);
    for (const file of walker.files) files.set(file.path, file);
    for (const skip of walker.skipped) skipped.set(skip.path, skip);
  }
  return { files: [...files.values()].sort(byPath), unmatched, skipped: [...skipped.values()].sort(byPath) };
}

/** Walks the work folder from one pattern's fixed base, without following symbolic links. */
class Walker {
  readonly files: FoundFile[] = [];
  readonly skipped: SkippedPath[] = [];

  constructor(
    private readonly root: string,
    private readonly maxFileBytes: number,
    private readonly isMatch: (path: string) => boolean,
  ) {}

  async start(base: string): Promise<void> {
    if (base !== '') {
      // The folders above the base are resolved by the OS: make sure no link there leads outside.
      const parent = await realpathOrUndefined(dirname(join(this.root, base)));
      if (parent === undefined) return;
      if (!isInside(this.root, parent)) {
        this.skip(base, 'reached through a symbolic link pointing outside the work folder');
        return;
      }
    }
    await this.visit(base, false);
  }

  private async visit(path: string, insideMatch: boolean): Promise<void> {
    const absolute = join(this.root, path);
    const info = await lstat(absolute).catch(ignoreMissing);
    if (info === undefined) return;
    const matched = insideMatch || this.isMatch(path === '' ? '.' : path);
    if (info.isDirectory()) {
      const names = (await readdir(absolute).catch(ignoreMissing)) ?? [];
      for (const name of names.sort()) await this.visit(path === '' ? name : `${path}/${name}`, matched);
      return;
    }
    if (!matched) return;
    if (info.isSymbolicLink()) await this.link(path, absolute);
    else if (info.isFile()) this.file(path, absolute, info.size);
    else this.skip(path, 'not a regular file');
  }

  private async link(path: string, absolute: string): Promise<void> {
    const target = await realpathOrUndefined(absolute);
    if (target === undefined) return this.skip(path, 'broken symbolic link');
    if (!isInside(this.root, target)) return this.skip(path, 'symbolic link pointing outside the work folder');
    const info = await stat(target);
    if (info.isDirectory()) return this.skip(path, 'symbolic link to a folder (not followed)');
    if (!info.isFile()) return this.skip(path, 'not a regular file');
    this.file(path, target, info.size);
  }

  private file(path: string, source: string, sizeBytes: number): void {
    if (sizeBytes > this.maxFileBytes) {
      this.skip(path, `${sizeBytes} bytes, larger than the limit of ${this.maxFileBytes} bytes`);
      return;
    }
    this.files.push({ path, source, sizeBytes });
  }

  private skip(path: string, reason: string): void {
    this.skipped.push({ path, reason });
  }
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  return realpath(path).catch(ignoreMissing);
}
