import { Inject, Injectable } from '@nestjs/common';
import { FluxiError } from '@fluxi/common';
import {
  ContractVersion,
  ResolveContextsRequestSchema,
  ResolveContextsResponseSchema,
  Subjects,
  create,
} from '@fluxi/contracts';
import { request } from '@fluxi/messaging';
import type { ContextError } from '../domain/contexts.js';
import type { AttemptRef } from '../domain/messages.js';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';

/** The scheduler's answer: a value per name asked, or a typed error. */
export type ContextAnswer = { values: Map<string, string> } | { error: ContextError };

/** Asks the scheduler for the values of a job's context references (NATS request/reply). */
@Injectable()
export class ContextResolver {
  constructor(@Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps) {}

  /** Throws FluxiError UNAVAILABLE when nobody answers in time. */
  async resolve(ref: AttemptRef, names: string[]): Promise<ContextAnswer> {
    const response = await request(
      this.deps.nats.nc,
      Subjects.contextsResolve,
      { request: ResolveContextsRequestSchema, response: ResolveContextsResponseSchema },
      create(ResolveContextsRequestSchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        pipelineRunId: ref.pipelineRunId,
        jobRunId: ref.jobRunId,
        names,
      }),
      this.deps.requestTimeoutMs,
    );
    switch (response.result.case) {
      case 'contexts':
        return { values: new Map(Object.entries(response.result.value.values)) };
      case 'error':
        return { error: response.result.value };
      default:
        throw new FluxiError('INTERNAL', `empty answer on ${Subjects.contextsResolve}`);
    }
  }
}
