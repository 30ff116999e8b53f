import type { SecretKeyRing } from '@fluxi/common';
import type { Database, SqlExecutor } from '@fluxi/db';
import { checkDefinitions, type KnownNames } from '../domain/as-code/check.js';
import { convertGitlabCi } from '../domain/as-code/gitlab/convert.js';
import { parseDefinitions } from '../domain/as-code/parse.js';
import { planChanges, type DefinitionChange } from '../domain/as-code/plan.js';
import { problemsError, type DefinitionProblem } from '../domain/as-code/problems.js';
import { definitionsToYaml, stringifySections } from '../domain/as-code/to-yaml.js';
import { applyChanges, readCatalog, type CatalogContent } from '../store/definitions-store.js';

export interface ImportResult {
  dryRun: boolean;
  changes: DefinitionChange[];
}

export interface GitlabImportResult {
  fluxiYaml: string;
  notMapped: string[];
  result: ImportResult;
}

const IMPORT_LOCK = 'fluxi-catalog-import-definitions';

/** Pipelines as code: export, validate and import `fluxi.yaml` files, convert `.gitlab-ci.yml` ones. */
export class DefinitionsService {
  constructor(
    private readonly db: Database,
    private readonly keys: SecretKeyRing,
  ) {}

  /** Every job, pipeline and schedule as one `fluxi.yaml` (sorted by name, defaults left out). */
  async exportYaml(): Promise<string> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      return definitionsToYaml((await readCatalog(tx)).definitions);
    });
  }

  /** All structural problems of a file, else the first problem of each definition; [] when valid. */
  async validate(text: string): Promise<DefinitionProblem[]> {
    const parsed = parseDefinitions(text);
    if (parsed.file === undefined) return parsed.problems;
    const file = parsed.file;
    const current = await this.db.transaction((tx) => readCatalog(tx));
    return checkDefinitions(file, parsed.locate, knownNames(current)).problems;
  }

  /**
   * Creates or updates the file's definitions by name, all or nothing, in one
   * transaction; a dry run reports the same changes and writes nothing. Definitions
   * missing from the file are kept. An invalid file is refused (BAD_USER_INPUT, the
   * field its YAML path, the message starting with `file:line:column`).
   */
  async import(text: string, options: { dryRun?: boolean; fileName?: string } = {}): Promise<ImportResult> {
    const dryRun = options.dryRun ?? false;
    const parsed = parseDefinitions(text);
    if (parsed.file === undefined) throw problemsError(parsed.problems, options.fileName);
    const file = parsed.file;
    return this.db.transaction(async (tx: SqlExecutor) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [IMPORT_LOCK]);
      const current = await readCatalog(tx, !dryRun);
      const checked = checkDefinitions(file, parsed.locate, knownNames(current));
      if (checked.problems.length > 0) throw problemsError(checked.problems, options.fileName);
      const changes = planChanges(checked.definitions, current.definitions);
      if (!dryRun) await applyChanges(tx, checked.definitions, current, changes, this.keys);
      return { dryRun, changes };
    });
  }

  /** Converts a `.gitlab-ci.yml` into jobs and one pipeline, then imports them like `import`. */
  async importGitlabCi(text: string, pipelineName: string, dryRun = false): Promise<GitlabImportResult> {
    const current = await this.db.transaction((tx) => readCatalog(tx));
    const converted = convertGitlabCi(text, pipelineName, { reserved: jobsOfOthers(current, pipelineName) });
    const fluxiYaml = stringifySections(
      converted.sections,
      ` Converted from .gitlab-ci.yml by importGitlabCi (pipeline ${pipelineName})`,
    );
    const result = await this.import(fluxiYaml, { dryRun, fileName: 'converted fluxi.yaml' });
    return { fluxiYaml, notMapped: converted.notMapped, result };
  }
}

/**
 * Jobs an import for `pipelineName` must leave alone: those another pipeline or a
 * schedule uses. (The import runs in its own transaction: a pipeline made in between
 * is caught by the plan, which then reports the update.)
 */
function jobsOfOthers(current: CatalogContent, pipelineName: string): Set<string> {
  const reserved = new Set<string>();
  for (const [name, pipeline] of current.definitions.pipelines) {
    if (name === pipelineName) continue;
    for (const stage of pipeline.stages) for (const entry of stage.entries) reserved.add(entry.jobId);
  }
  for (const schedule of current.definitions.schedules.values()) {
    for (const target of schedule.targets) if (target.jobId !== null) reserved.add(target.jobId);
  }
  return reserved;
}

function knownNames(current: CatalogContent): KnownNames {
  return { jobs: new Set(current.definitions.jobs.keys()), pipelines: new Set(current.definitions.pipelines.keys()) };
}
