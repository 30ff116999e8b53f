import { z } from 'zod';

/**
 * The structure of a `fluxi.yaml` file: the one source of its structural validation
 * and of the published JSON Schema. Value rules (names, ranges, needs, cron) are the
 * domain validators' (job.ts, pipeline.ts, schedule.ts), applied after this.
 */

const text = (description: string) => z.string().describe(description);
const list = (description: string) => z.array(z.string()).describe(description);

export const retrySchema = z
  .strictObject({
    on: z
      .array(z.enum(['job', 'timeout', 'infrastructure']))
      .describe('Failure classes retried; empty or absent: all three.')
      .optional(),
    exitCodes: z
      .array(z.int())
      .describe('Exit codes (0-255) of a job failure that are retried; absent: any.')
      .optional(),
    backoff: z
      .enum(['fixed', 'exponential'])
      .describe('fixed (default) or exponential (delay * 2^(retry-1)).')
      .optional(),
    delaySec: z.number().describe('Seconds before a retry, fractions allowed (0-86400, default 0).').optional(),
    maxDelaySec: z.number().describe('Upper bound of one delay in seconds (at least delaySec).').optional(),
    jitter: z.boolean().describe('Randomise each delay (default false).').optional(),
  })
  .describe('When and how a failed attempt is tried again, up to maxAttempts.');

export const dockerSchema = z
  .strictObject({
    pullPolicy: z
      .enum(['if_not_present', 'always', 'never'])
      .describe('When the image is pulled: if_not_present (default), always, never.')
      .optional(),
    cpus: z.number().describe('CPUs the container may use, fractions allowed (above 0, at most 256).').optional(),
    memoryMiB: z.int().describe('Memory limit in MiB (at least 4).').optional(),
    entrypoint: list("Replaces the image's entrypoint; the command is its last argument.").optional(),
    keepOnFailure: z.boolean().describe('Keep the container of a failed attempt (default false).').optional(),
  })
  .describe('How a job with an image runs.');

/** A job's environment variable marked secret; a file never holds its value when exported. */
export const secretEnvSchema = z
  .strictObject({
    secret: z.literal(true).describe('The value is sealed in the catalog, never exported, and masked in logs.'),
    value: z
      .string()
      .describe('The value (4+ characters); absent keeps the stored one (or leaves it unset: set it with updateJob).')
      .optional(),
  })
  .describe('An environment variable marked secret.');

function envValueError(issue: { input?: unknown }): string {
  return typeof issue.input === 'object' && issue.input !== null
    ? 'a secret environment variable is written { secret: true } or { secret: true, value: "…" }'
    : 'environment values are strings: quote numbers and booleans';
}

export const jobSchema = z
  .strictObject({
    command: text('Shell command (run with /bin/sh -c).'),
    image: text('Container image; absent: the shell driver.').optional(),
    env: z
      .record(z.string(), z.union([z.string(), secretEnvSchema], { error: envValueError }))
      .describe('Environment variables: name → value, or → { secret: true } for a secret one.')
      .optional(),
    workdir: text('Work folder.').optional(),
    timeoutSec: z.int().describe('Seconds (1-604800); absent: the executor default.').optional(),
    maxAttempts: z.int().describe('Attempts in all (1-10, default 1).').optional(),
    allowFailure: z.boolean().describe('A failure does not fail the run (default false).').optional(),
    allowFailureExitCodes: z
      .array(z.int())
      .describe('A failure with one of these exit codes (0-255) does not fail the run.')
      .optional(),
    retry: retrySchema.optional(),
    artifacts: list('Globs relative to the work folder, saved after the job.').optional(),
    pool: text('Executor pool (lowercase letters, digits, single -); default: default.').optional(),
    tags: list('Tags an executor of the pool must all carry (at most 16).').optional(),
    maxConcurrent: z
      .int()
      .describe('Most attempts of the job running at once, across runs; absent: no limit.')
      .optional(),
    docker: dockerSchema.optional(),
    checkout: z
      .boolean()
      .describe(
        "Fetch the run's commit (of the git push that started it) into the work folder before the command (default false).",
      )
      .optional(),
    secrets: list(
      "Names of secrets set in Fluxi (setSecret), each given to the job as an environment variable of that name; a pipeline's own secret wins over the global one.",
    ).optional(),
  })
  .describe('A job: what to run and how.');

export const entrySchema = z
  .strictObject({
    job: text('Name of the job this entry runs.'),
    name: text('Entry name, unique in the pipeline; default: the job name.').optional(),
    needs: list('Entries of this or an earlier stage that must finish first.').optional(),
    when: z
      .enum(['on_success', 'on_failure', 'always', 'manual'])
      .describe(
        'Run when what it waits for succeeded (default), failed, or always; manual: as on_success, then wait for a person (playJobRun).',
      )
      .optional(),
    allowFailure: z.boolean().describe("Overrides the job's allowFailure.").optional(),
    matrix: z
      .record(z.string(), z.array(z.string({ error: 'matrix values are strings: quote numbers ("3.10")' })))
      .describe('Axis (environment variable) → values; one job run per combination.')
      .optional(),
    pool: text("Runs the job in this pool instead of the job's own.").optional(),
    tags: list("Tags required besides the job's own.").optional(),
    artifactsFrom: list(
      'Entries whose artifacts are restored before it starts, each one it waits for; [] none; absent: all it waits for.',
    ).optional(),
    allowFailureExitCodes: z
      .array(z.int())
      .describe('A failure with one of these exit codes (0-255) does not fail the run.')
      .optional(),
    rules: z
      .array(
        z.strictObject({
          if: text(
            'GitLab expression: $VAR, "text", null, /regex/, ==, !=, =~, !~, &&, ||, ( ); absent: holds.',
          ).optional(),
          when: z
            .enum(['on_success', 'on_failure', 'always', 'manual', 'never'])
            .describe('What a holding rule makes of the entry (default on_success); never: skipped.')
            .optional(),
          allowFailure: z.boolean().describe("Overrides the entry's allowFailure when the rule holds.").optional(),
        }),
      )
      .describe('Decided when a run is created: the first rule that holds wins; none holding skips the entry.')
      .optional(),
    startAtOnce: z
      .boolean()
      .describe('Start when the run starts, waiting for nothing (no needs); default false.')
      .optional(),
  })
  .describe('One job in a stage.');

export const pipelineSchema = z
  .strictObject({
    description: text('Free text.').optional(),
    timeoutSec: z.int().describe('Whole-run timeout in seconds (1-604800).').optional(),
    concurrency: z
      .strictObject({
        group: text('Runs of the same group do not overlap.'),
        cancelOlder: z.boolean().describe('Cancel older open runs instead of waiting (default false).').optional(),
      })
      .optional(),
    retention: z
      .strictObject({
        runDays: z
          .int()
          .describe('Days an ended run (job runs, attempts, outputs, artifacts) is kept (1-36500).')
          .optional(),
        logDays: z.int().describe('Days its log lines are kept (1-36500).').optional(),
      })
      .describe("How long ended runs and their logs are kept; absent: the installation's defaults.")
      .optional(),
    git: z
      .strictObject({
        repository: text(
          'Repository URL (https://host/owner/repo, git@host:owner/repo, ssh://, file:///path), without credentials; deliveries of its https and ssh forms match.',
        ),
        branches: list(
          'Branch globs whose pushes start the pipeline (release/*, !wip/**); absent: every branch.',
        ).optional(),
        tags: list('Tag globs whose pushes start the pipeline (v*); absent: every tag.').optional(),
        events: z
          .array(z.enum(['push', 'tag']))
          .describe('push (branch pushes) and/or tag (tag pushes); absent: both.')
          .optional(),
      })
      .describe(
        'The repository whose pushes start the pipeline (POST /hooks/github, /hooks/gitlab). The webhook secret is not part of the file: set it with the setPipelineWebhookSecret mutation; an import keeps it, removing git clears it.',
      )
      .optional(),
    stages: z
      .array(
        z.strictObject({
          name: text('Stage name, unique in the pipeline.'),
          jobs: z.array(entrySchema).describe('Entries of the stage.'),
        }),
      )
      .describe('Stages run in order; an entry with needs starts as soon as they are done.'),
  })
  .describe('A pipeline: stages of jobs.');

export const scheduleTargetSchema = z
  .strictObject({
    pipeline: text('Name of a pipeline to start.').optional(),
    job: text('Name of a job to start alone.').optional(),
  })
  .describe('A pipeline or a job, exactly one.');

export const scheduleSchema = z
  .strictObject({
    pipeline: text('Name of the pipeline to start (shorthand for targets: [{ pipeline }]).').optional(),
    targets: z
      .array(scheduleTargetSchema)
      .describe('Pipelines and jobs started together at each fire (1 to 16); instead of pipeline.')
      .optional(),
    cron: text(
      'Cron expression: five fields, or six with seconds first; @hourly, @daily, @weekly, @monthly, @yearly; L, W and # in the day fields.',
    ).optional(),
    at: text(
      'One instant, ISO 8601: with an offset (2026-12-01T10:00:00Z) that instant, without one (2026-12-01T10:00) read in the time zone.',
    ).optional(),
    timezone: text('IANA time zone of the cron expression (default UTC).').optional(),
    enabled: z.boolean().describe('Default true.').optional(),
    overlap: z
      .enum(['allow', 'skip', 'queue'])
      .describe(
        'While the run a fire started for a target still runs: start another (allow, the default), start nothing (skip), or start once it ended (queue).',
      )
      .optional(),
    missedFires: z
      .enum(['skip', 'run_once', 'all'])
      .describe(
        'Planned times missed while no scheduler ran (older than a minute): skip them, run once for all of them (run_once, the default), or run them all (at most 100).',
      )
      .optional(),
  })
  .describe('A schedule: cron or at, exactly one; pipeline or targets, exactly one.');

export const definitionsFileSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }).describe('Format version: 1.'),
    jobs: z.record(z.string(), jobSchema).describe('Jobs by name.').optional(),
    pipelines: z.record(z.string(), pipelineSchema).describe('Pipelines by name.').optional(),
    schedules: z.record(z.string(), scheduleSchema).describe('Schedules by name.').optional(),
  })
  .meta({
    title: 'Fluxi definitions (fluxi.yaml)',
    description: 'Jobs, pipelines and schedules of a Fluxi catalog, as code.',
  });

export type DefinitionsFile = z.infer<typeof definitionsFileSchema>;
export type FileJob = z.infer<typeof jobSchema>;
export type FileEnvValue = string | z.infer<typeof secretEnvSchema>;
export type FileRetry = z.infer<typeof retrySchema>;
export type FileDocker = z.infer<typeof dockerSchema>;
export type FilePipeline = z.infer<typeof pipelineSchema>;
export type FileEntry = z.infer<typeof entrySchema>;
export type FileSchedule = z.infer<typeof scheduleSchema>;
