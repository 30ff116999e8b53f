import { mkdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

export type Workdir = { path: string; cleanup(): Promise<void> } | { error: string };

/**
 * The folder a job runs in: the one it asks for (which must exist), or a fresh
 * `<dataDir>/work/<jobRunId>` that is removed after the run.
 */
export async function prepareWorkdir(requested: string, dataDir: string, jobRunId: string): Promise<Workdir> {
  if (requested !== '') {
    if (!isAbsolute(requested)) return { error: `workdir ${requested} is not an absolute path` };
    try {
      const info = await stat(requested);
      if (!info.isDirectory()) return { error: `workdir ${requested} is not a directory` };
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      return {
        error:
          code === 'ENOENT'
            ? `workdir ${requested} does not exist`
            : `workdir ${requested}: ${(cause as Error).message}`,
      };
    }
    return { path: requested, cleanup: async () => undefined };
  }
  const path = join(resolve(dataDir), 'work', jobRunId);
  try {
    // mkdir names the first folder it made, nothing when the folder was there already: one
    // left by a crashed executor, stale, so it starts clean.
    if ((await mkdir(path, { recursive: true })) === undefined) {
      await rm(path, { recursive: true, force: true });
      await mkdir(path, { recursive: true });
    }
  } catch (cause) {
    return { error: `could not create the work folder ${path}: ${(cause as Error).message}` };
  }
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
