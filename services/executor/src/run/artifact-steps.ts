import type { ArtifactFile, LocalArtifactStore } from '@fluxi/artifacts';
import type { ArtifactSource } from '@fluxi/contracts';
import { restoredLine, saveLines } from '../domain/artifact-report.js';
import type { DriverResult } from '../domain/outcome.js';
import type { OutputSink } from '../drivers/driver.js';

/**
 * Copies the artifacts of earlier job runs into the work folder before the
 * command starts, with a log line per job run that had files (nothing for one
 * without: every earlier job of the pipeline is a source, artifacts or not).
 * Returns an infrastructure result when one cannot be restored.
 */
export async function restoreArtifacts(
  store: LocalArtifactStore,
  sources: readonly ArtifactSource[],
  workdir: string,
  output: OutputSink,
): Promise<DriverResult | undefined> {
  // Every source is looked up at once (a job of stage n has every job of the n-1 stages before
  // as a source, most with nothing saved); those with files are restored in order, so a later
  // source's file replaces an earlier one's of the same path.
  const saved = await Promise.all(
    sources.map((source) =>
      store.list(source.jobRunId).then(
        (files) => ({ source, count: files.length }),
        (error: unknown) => ({ source, error }),
      ),
    ),
  );
  for (const found of saved) {
    const { source } = found;
    const from = source.name === '' ? source.jobRunId : source.name;
    try {
      if ('error' in found) throw found.error;
      if (found.count === 0) continue;
      const restored = await store.restore(source.jobRunId, workdir);
      if (restored > 0) output.system(restoredLine(restored, from));
    } catch (error) {
      const reason = `could not restore the artifacts of ${from}: ${(error as Error).message}`;
      output.system(reason);
      return { kind: 'infrastructure', reason };
    }
  }
  return undefined;
}

/** The result of an attempt once its artifacts are saved, and the files saved. */
export interface SavedAttempt {
  result: DriverResult;
  artifacts: ArtifactFile[];
}

/**
 * Saves the files `patterns` match in the work folder as the job run's artifacts
 * and tells the log what was saved, skipped or matched nothing. A failed save is
 * logged; it fails the attempt (infrastructure) only when the command succeeded.
 */
export async function saveArtifacts(
  store: LocalArtifactStore,
  jobRunId: string,
  workdir: string,
  patterns: readonly string[],
  result: DriverResult,
  output: OutputSink,
): Promise<SavedAttempt> {
  try {
    const saved = await store.save(jobRunId, workdir, [...patterns]);
    for (const line of saveLines(saved)) output.system(line);
    return { result, artifacts: saved.files };
  } catch (error) {
    const reason = `could not save artifacts: ${(error as Error).message}`;
    output.system(reason);
    const succeeded = result.kind === 'exited' && result.exitCode === 0;
    return { result: succeeded ? { kind: 'infrastructure', reason } : result, artifacts: [] };
  }
}
