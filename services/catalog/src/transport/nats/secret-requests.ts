import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { FluxiError, IdPrefix, newId, type Logger } from '@fluxi/common';
import {
  create,
  ResolveSecretsRequestSchema,
  ResolveSecretsResponseSchema,
  Subjects,
  type ResolveSecretsRequest,
} from '@fluxi/contracts';
import { serve, type Nats } from '@fluxi/messaging';
import type { AuditOutcome } from '../../domain/audit.js';
import { pickSecrets } from '../../domain/secret.js';
import { pickSecretEnv } from '../../domain/secret-env.js';
import { AuditStore } from '../../store/audit-store.js';
import { JobStore } from '../../store/job-store.js';
import { SecretStore } from '../../store/secret-store.js';
import { errorDetail } from './error-detail.js';
import { LOGGER, NATS } from '../../tokens.js';

/**
 * Serves `fluxi.catalog.secrets.resolve`: an executor starting an attempt asks for the values of the
 * job's secrets and of its environment variables marked secret (`envNames`, the job's own values,
 * opened with the job id bound in). Only names the job's definition lists are given (a name it no longer lists is
 * refused); the pipeline's own secret wins over the global one; `lastUsedAt` is updated; the access is
 * logged with names and ids, never values. The answer holds the values in the clear: NATS carries it
 * to the executor only (with authentication and TLS in production). Each resolution, given or
 * refused, is an audit entry `secret.access` (target: the job run; details: names, never values).
 */
@Injectable()
export class SecretRequestServer implements OnApplicationBootstrap, OnModuleDestroy {
  private stop: (() => void) | undefined;

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(JobStore) private readonly jobs: JobStore,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(AuditStore) private readonly audit: AuditStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stop = serve(this.nats.nc, {
      subject: Subjects.secretsResolve,
      request: ResolveSecretsRequestSchema,
      response: ResolveSecretsResponseSchema,
      logger: this.logger,
      handler: async (req) => {
        try {
          const { values, env } = await this.resolve(req);
          await this.record(req, 'success', {});
          return create(ResolveSecretsResponseSchema, {
            result: { case: 'secrets', value: { values: Object.fromEntries(values), env: Object.fromEntries(env) } },
          });
        } catch (error) {
          const value = errorDetail(error, this.logger, Subjects.secretsResolve);
          await this.record(req, 'failure', { code: value.code, message: value.message });
          return create(ResolveSecretsResponseSchema, { result: { case: 'error', value } });
        }
      },
    });
    await this.nats.nc.flush();
  }

  onModuleDestroy(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private async resolve(
    req: ResolveSecretsRequest,
  ): Promise<{ values: Map<string, string>; env: Map<string, string> }> {
    const names = [...new Set(req.names)];
    const envNames = [...new Set(req.envNames)];
    const access = { jobRunId: req.jobRunId, attempt: req.attempt, jobId: req.jobId, pipelineId: req.pipelineId };
    const job = await this.jobs.require(req.jobId);
    const unlisted = names.find((name) => !job.secrets.includes(name));
    if (unlisted !== undefined) {
      this.logger.warn({ ...access, names }, 'secret access refused: the job does not list the name');
      throw new FluxiError(
        'BAD_USER_INPUT',
        `job ${job.name} does not list secret ${unlisted} (any more): rerun the pipeline to use its definition`,
        { field: unlisted },
      );
    }
    const entries = pickSecretEnv(job, envNames);
    const env = this.jobs.openSecretEnv(job.id, entries);
    if (names.length === 0) {
      this.logger.info({ ...access, envNames }, 'secret access');
      return { values: new Map(), env };
    }
    const picked = pickSecrets(await this.secrets.forAttempt(names, req.pipelineId), names, req.pipelineId);
    await this.secrets.markUsed(picked.used);
    this.logger.info({ ...access, names, envNames, secretIds: picked.used }, 'secret access');
    return { values: picked.values, env };
  }

  /** The audit entry of one resolution; a failure to write it is logged, the answer still goes. */
  private async record(req: ResolveSecretsRequest, outcome: AuditOutcome, details: Record<string, unknown>) {
    const entry = {
      id: newId(IdPrefix.auditEntry),
      at: new Date(),
      userId: null,
      userName: 'executor',
      keyId: null,
      action: 'secret.access',
      target: req.jobRunId,
      outcome,
      details: {
        ...details,
        names: req.names,
        envNames: req.envNames,
        pipelineId: req.pipelineId,
        jobId: req.jobId,
        attempt: req.attempt,
      },
      address: null,
    };
    await this.audit.record([entry]).catch((err: unknown) => {
      this.logger.error({ err, jobRunId: req.jobRunId }, 'could not store the audit entry of a secret access');
    });
  }
}
