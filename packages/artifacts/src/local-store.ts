import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { FluxiError } from '@fluxi/common';
import { collectFiles, type SkippedPath } from './collect.js';
import { ignoreMissing } from './missing.js';
import { checkJobRunId, isInside, safeRelativePath } from './paths.js';
import { storedFiles, type ArtifactFile } from './stored.js';

export interface ArtifactStoreOptions {
  /** Folder holding every job run's artifacts (see `artifactsDir`). */
  dir: string;
  /** Largest single file saved; larger ones are skipped with a note. */
  maxFileBytes: number;
}

export interface SaveResult {
  /** What was saved, sorted by path. */
  files: ArtifactFile[];
  /** Patterns that matched no file (a warning for the job's log, not an error). */
  unmatched: string[];
  /** Matches left out (links leading outside, too large, refused patterns), with the reason. */
  skipped: SkippedPath[];
}

export interface OpenedArtifact {
  stream: Readable;
  sizeBytes: number;
}

/** Folder for files being copied, renamed into place once complete (not a valid job run id). */
const STAGING = '.staging';

/**
 * Artifacts on a local (or shared, mounted) folder: `<dir>/<jobRunId>/<path>`.
 * A save replaces what an earlier attempt of the same job run saved.
 */
export class LocalArtifactStore {
  readonly dir: string;
  private readonly maxFileBytes: number;

  constructor(options: ArtifactStoreOptions) {
    this.dir = resolve(options.dir);
    this.maxFileBytes = options.maxFileBytes;
  }

  /** Saves the files `patterns` (globs relative to `workdir`) match as the job run's artifacts. */
  async save(jobRunId: string, workdir: string, patterns: string[]): Promise<SaveResult> {
    checkJobRunId(jobRunId);
    const found = await collectFiles(workdir, patterns, this.maxFileBytes);
    const skipped = [...found.skipped];
    const folder = join(this.dir, jobRunId);
    const staging = join(this.dir, STAGING, `${jobRunId}-${randomUUID()}`);
    const files: ArtifactFile[] = [];
    try {
      for (const file of found.files) {
        const target = join(staging, file.path);
        await mkdir(dirname(target), { recursive: true });
        await copyFile(file.source, target);
        const { size } = await stat(target);
        if (size > this.maxFileBytes) {
          // It grew between the look and the copy.
          await rm(target);
          skipped.push({ path: file.path, reason: `larger than the limit of ${this.maxFileBytes} bytes` });
        } else {
          files.push({ path: file.path, sizeBytes: size });
        }
      }
      await rm(folder, { recursive: true, force: true });
      if (files.length > 0) await rename(staging, folder);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return { files, unmatched: found.unmatched, skipped };
  }

  /**
   * Copies the files saved for `jobRunId` into `workdir` at the same relative
   * paths, replacing files already there. Returns how many; 0 when none.
   */
  async restore(jobRunId: string, workdir: string): Promise<number> {
    checkJobRunId(jobRunId);
    const folder = join(this.dir, jobRunId);
    const files = await storedFiles(folder);
    if (files.length === 0) return 0;
    const root = await realpath(workdir);
    for (const file of files) {
      const target = join(root, file.path);
      await makeFoldersInside(root, file.path);
      await rm(target, { force: true });
      await copyFile(join(folder, file.path), target, constants.COPYFILE_EXCL);
    }
    return files.length;
  }

  /** Deletes everything saved for `jobRunId` (run retention); nothing happens when there is none. */
  async remove(jobRunId: string): Promise<void> {
    checkJobRunId(jobRunId);
    await rm(join(this.dir, jobRunId), { recursive: true, force: true });
  }

  /** The files saved for `jobRunId`, sorted by path; empty when none. */
  async list(jobRunId: string): Promise<ArtifactFile[]> {
    checkJobRunId(jobRunId);
    return storedFiles(join(this.dir, jobRunId));
  }

  /**
   * Opens one saved file for reading; undefined when there is none. Throws
   * BAD_USER_INPUT for paths that are absolute, use `..` or lead out of the job run's folder.
   */
  async open(jobRunId: string, path: string): Promise<OpenedArtifact | undefined> {
    checkJobRunId(jobRunId);
    const relative = safeRelativePath(path);
    if (relative === undefined) throw refused(path);
    const folder = await realpath(join(this.dir, jobRunId)).catch(ignoreMissing);
    if (folder === undefined) return undefined;
    const real = await realpath(join(folder, relative)).catch(ignoreMissing);
    if (real === undefined) return undefined;
    if (real === folder || !isInside(folder, real)) throw refused(path);
    const handle = await open(real, 'r');
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return undefined;
    }
    return { stream: handle.createReadStream(), sizeBytes: info.size };
  }
}

/** Creates the folders of `path`'s parent under `root`, refusing to go through a symbolic link. */
async function makeFoldersInside(root: string, path: string): Promise<void> {
  const segments = path.split('/').slice(0, -1);
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    const info = await lstat(current).catch(ignoreMissing);
    if (info === undefined) await mkdir(current);
    else if (!info.isDirectory()) {
      throw new FluxiError(
        'BAD_USER_INPUT',
        `cannot restore artifact ${path}: ${current} is in the way (not a folder, or a symbolic link)`,
      );
    }
  }
}

function refused(path: string): FluxiError {
  return new FluxiError(
    'BAD_USER_INPUT',
    `artifact path ${JSON.stringify(path)} must be relative, without .., inside the job run's artifacts`,
    { field: 'path' },
  );
}
