import { Inject, Injectable } from '@nestjs/common';
import { FluxiError } from '@fluxi/common';
import {
  ContractVersion,
  ResolveSecretsRequestSchema,
  ResolveSecretsResponseSchema,
  Subjects,
  create,
  type ErrorDetail,
} from '@fluxi/contracts';
import { request } from '@fluxi/messaging';
import type { AttemptRef } from '../domain/messages.js';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';

/** The catalog's answer: a value per name asked (secrets, secret env variables), or a typed error. */
export type SecretAnswer = { values: Map<string, string>; env: Map<string, string> } | { error: ErrorDetail };

export interface SecretQuery {
  pipelineId: string;
  jobId: string;
  names: readonly string[];
  /** The job's environment variables marked secret (JobSpec.secret_env_names). */
  envNames: readonly string[];
}

/**
 * Asks the catalog for the values of a job's secrets and secret env variables when an attempt
 * starts (one NATS request/reply for both).
 */
@Injectable()
export class SecretResolver {
  constructor(@Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps) {}

  /** Throws FluxiError UNAVAILABLE when nobody answers in time. */
  async resolve(ref: AttemptRef, query: SecretQuery): Promise<SecretAnswer> {
    const response = await request(
      this.deps.nats.nc,
      Subjects.secretsResolve,
      { request: ResolveSecretsRequestSchema, response: ResolveSecretsResponseSchema },
      create(ResolveSecretsRequestSchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        pipelineId: query.pipelineId,
        jobRunId: ref.jobRunId,
        attempt: ref.attempt,
        jobId: query.jobId,
        names: [...query.names],
        envNames: [...query.envNames],
      }),
      this.deps.requestTimeoutMs,
    );
    switch (response.result.case) {
      case 'secrets':
        return {
          values: new Map(Object.entries(response.result.value.values)),
          env: new Map(Object.entries(response.result.value.env)),
        };
      case 'error':
        return { error: response.result.value };
      default:
        throw new FluxiError('INTERNAL', `empty answer on ${Subjects.secretsResolve}`);
    }
  }
}
