import { Inject, Injectable } from '@nestjs/common';
import type { LocalArtifactStore } from '@fluxi/artifacts';
import type { AttemptRef } from '../domain/messages.js';
import { commandEnded, effectiveTimeoutSec, notStartedLine, type DriverResult } from '../domain/outcome.js';
import type { ValidExecuteJob } from '../domain/payload.js';
import { containerOptions } from '../domain/container-options.js';
import type { SecretMasker } from '../domain/secret-masker.js';
import { ARTIFACT_STORE, DRIVERS, EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { ContextResolver } from '../transport/context-resolver.js';
import { SecretResolver } from '../transport/secret-resolver.js';
import { restoreArtifacts, saveArtifacts, type SavedAttempt } from './artifact-steps.js';
import { runAttempt, type LifecycleIo } from './attempt-lifecycle.js';
import { startAttemptTrace, UNTRACED, type AttemptTrace } from './attempt-trace.js';
import { checkoutCommit } from './checkout-step.js';
import { resolveCommand } from './contexts-step.js';
import { resolveSecrets } from './secrets-step.js';
import { prepareWorkdir } from './workdir.js';

/** What an attempt's steps get besides the job: its output, stops, and the masker of its secrets. */
export interface AttemptIo extends LifecycleIo {
  /** Given the job's secret values once they are resolved (before the command runs). */
  masker: SecretMasker;
  /**
   * Work left for after the finished event is out (deleting the work folder, already moved
   * aside): the next job of the pipeline does not wait for a large folder to go. The runner
   * does it whatever happened.
   */
  afterFinish(task: () => Promise<void>): void;
}

/**
 * What happens around the driver for one attempt: contexts substituted into the
 * command, the work folder prepared (the run's commit checked out when the job asks) and given the artifacts of earlier jobs, the
 * task run by its driver (see runAttempt), then the artifacts saved before the
 * work folder is moved aside (and deleted once the finished event is out). A stop asked for before the command started ends the attempt
 * without running it.
 */
@Injectable()
export class AttemptSteps {
  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(DRIVERS) private readonly drivers: DriverRegistry,
    @Inject(ContextResolver) private readonly contexts: ContextResolver,
    @Inject(ARTIFACT_STORE) private readonly artifacts: LocalArtifactStore,
    @Inject(SecretResolver) private readonly secrets: SecretResolver,
  ) {}

  async run(execute: ValidExecuteJob, ref: AttemptRef, context: AttemptIo): Promise<SavedAttempt> {
    const traced = startAttemptTrace(execute, ref, this.deps.executorId);
    if (traced === undefined) return this.steps(execute, ref, context, UNTRACED);
    return traced.within(async () => {
      let saved: SavedAttempt | undefined;
      try {
        saved = await this.steps(execute, ref, context, traced.trace);
        return saved;
      } finally {
        traced.end(saved?.result ?? { kind: 'infrastructure', reason: 'executor error' });
      }
    });
  }

  /** The steps of one attempt, each a span of `trace`. */
  private async steps(
    execute: ValidExecuteJob,
    ref: AttemptRef,
    context: AttemptIo,
    trace: AttemptTrace,
  ): Promise<SavedAttempt> {
    const { output, stop } = context;
    const ended = (result: DriverResult): SavedAttempt => ({ result, artifacts: [] });
    const job = execute.job;
    // Stopped before anything ran; one asked for later is runAttempt's to handle.
    if (stop.requested !== undefined) {
      output.system(notStartedLine(stop.requested));
      return ended(stop.requested);
    }
    const secrets = await trace.step('secrets', () =>
      resolveSecrets(execute, ref, this.secrets, context.masker, output),
    );
    if ('result' in secrets) return ended(secrets.result);
    const resolved = await trace.step('contexts', () => resolveCommand(job.command, ref, this.contexts, output));
    if ('result' in resolved) return ended(resolved.result);
    const workdir = await trace.step('workdir', () =>
      prepareWorkdir(job.workdir, this.deps.config.dataDir, execute.jobRunId),
    );
    if ('error' in workdir) {
      output.system(workdir.error);
      return ended({ kind: 'infrastructure', reason: workdir.error });
    }
    try {
      const { executor } = this.deps.config;
      const timeoutSec = effectiveTimeoutSec(job.timeoutSec, executor.defaultTimeoutSec);
      if (job.checkout) {
        const checkoutFailure = await trace.step('checkout', () =>
          checkoutCommit(execute.git, workdir.path, output, timeoutSec * 1000),
        );
        if (checkoutFailure !== undefined) return ended(checkoutFailure);
      }
      const restoreFailure = await trace.step('restore', () =>
        restoreArtifacts(this.artifacts, execute.artifactsFrom, workdir.path, output),
      );
      if (restoreFailure !== undefined) return ended(restoreFailure);
      // The job's own spans join the run's trace (W3C Trace Context in the environment).
      const traceEnv: Record<string, string> =
        trace.traceparent === undefined ? {} : { TRACEPARENT: trace.traceparent };
      const result = await trace.step('driver', () =>
        runAttempt(
          this.drivers.forImage(job.image),
          {
            ...ref,
            jobId: job.jobId,
            command: resolved.command,
            image: job.image,
            container: containerOptions(job.docker),
            env: { ...job.env, ...resolved.env, ...secrets.env, ...traceEnv },
            workdir: workdir.path,
          },
          {
            timeoutSec,
            killGraceSec: executor.killGraceSec,
          },
          context,
        ),
      );
      if (!commandEnded(result) || job.artifactPaths.length === 0) return ended(result);
      return await trace.step('save', () =>
        saveArtifacts(this.artifacts, execute.jobRunId, workdir.path, job.artifactPaths, result, output),
      );
    } finally {
      context.afterFinish(await workdir.cleanup());
    }
  }
}
