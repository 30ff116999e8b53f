import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ignoreMissing } from './missing.js';
import { byPath } from './paths.js';

/** A file saved for a job run. */
export interface ArtifactFile {
  /** Relative to the job's work folder, forward slashes. */
  path: string;
  sizeBytes: number;
}

/** The regular files under `folder`, sorted by path; empty when it does not exist. */
export async function storedFiles(folder: string): Promise<ArtifactFile[]> {
  const files: ArtifactFile[] = [];
  const visit = async (path: string): Promise<void> => {
    const entries = (await readdir(join(folder, path), { withFileTypes: true }).catch(ignoreMissing)) ?? [];
    for (const entry of entries) {
      const child = path === '' ? entry.name : `${path}/${entry.name}`;
      if (entry.isDirectory()) await visit(child);
      else if (entry.isFile()) files.push({ path: child, sizeBytes: (await stat(join(folder, child))).size });
    }
  };
  await visit('');
  return files.sort(byPath);
}
