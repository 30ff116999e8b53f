import { isFluxiError, type Logger } from '@fluxi/common';
import {
  create,
  Subjects,
  TriggerRunRequestSchema,
  TriggerRunResponseSchema,
  TriggerSource,
  type TriggerRunRequest,
  type TriggerRunResponse,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import { idempotencyKeyOf } from '../../domain/idempotency.js';
import type { RunTrigger } from '../../domain/status.js';
import type { TriggerRequest, TriggerSystem, RunScope } from '../../engine/systems/trigger.js';
import type { RunProvenance } from '../../store/records.js';

const SOURCES: ReadonlyMap<TriggerSource, RunTrigger> = new Map([
  [TriggerSource.MANUAL, 'manual'],
  [TriggerSource.API, 'api'],
  [TriggerSource.SCHEDULE, 'schedule'],
  [TriggerSource.WEBHOOK, 'webhook'],
  [TriggerSource.RERUN, 'rerun'],
]);

/** A request the trigger cannot take, with the field at fault. */
class Refused extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** The target, and the trigger request the engine takes, from the wire message. */
export function fromWire(message: TriggerRunRequest): { scope: RunScope; request: TriggerRequest } {
  const target = message.target;
  if (target.case === undefined || target.value.trim() === '')
    throw new Refused('pipelineId or jobId is required', 'target');
  const trigger = SOURCES.get(message.source);
  if (trigger === undefined) throw new Refused('source is required', 'source');
  const provenance: RunProvenance = {};
  if (message.scheduleId !== '') provenance.scheduleId = message.scheduleId;
  if (message.plannedAtMs !== 0n) provenance.plannedAt = new Date(Number(message.plannedAtMs)).toISOString();
  if (message.webhookDeliveryId !== '') provenance.webhookDeliveryId = message.webhookDeliveryId;
  const git = message.git;
  if (git !== undefined && git.commit !== '') {
    provenance.git = {
      repository: git.repository,
      ref: git.ref,
      refType: git.refType === 'tag' ? 'tag' : 'branch',
      commit: git.commit,
      author: git.author,
      message: git.message,
      compareUrl: git.compareUrl,
    };
  }
  const shortRef = git?.ref.replace(/^refs\/(heads|tags)\//, '') ?? '';
  return {
    scope: target.case === 'pipelineId' ? { pipelineId: target.value } : { jobId: target.value },
    request: {
      trigger,
      triggeredBy: message.triggeredBy === '' ? null : message.triggeredBy,
      triggeredByName: message.triggeredByName === '' ? null : message.triggeredByName,
      branch: shortRef === '' ? null : shortRef,
      commitSha: git?.commit ? git.commit : null,
      idempotencyKey: idempotencyKeyOf(message.idempotencyKey),
      provenance: Object.keys(provenance).length === 0 ? null : provenance,
    },
  };
}

/**
 * Answers fluxi.scheduler.trigger: the one trigger of runs that do not come through the
 * scheduler's own GraphQL (webhooks from the gateway, schedules), with their provenance
 * and idempotency key. A second request with a key answers the first run (created false).
 * Returns a stop function.
 */
export function serveTrigger(nc: NatsConnection, trigger: Pick<TriggerSystem, 'trigger'>, logger: Logger): () => void {
  const refuse = (code: string, message: string, field = '') =>
    create(TriggerRunResponseSchema, { result: { case: 'error', value: { code, message, field } } });
  return serve(nc, {
    subject: Subjects.trigger,
    request: TriggerRunRequestSchema,
    response: TriggerRunResponseSchema,
    logger,
    handler: async (message): Promise<TriggerRunResponse> => {
      try {
        const { scope, request } = fromWire(message);
        const run = await trigger.trigger(scope, request);
        return create(TriggerRunResponseSchema, {
          result: { case: 'run', value: { pipelineRunId: run.id, created: run.created, number: run.number } },
        });
      } catch (error) {
        if (error instanceof Refused) {
          return refuse('BAD_USER_INPUT', error.message, error.field);
        }
        if (isFluxiError(error)) {
          return refuse(error.code, error.message, error.field);
        }
        logger.error({ err: error }, 'trigger failed');
        return refuse('UNAVAILABLE', 'the run could not be created');
      }
    },
  });
}
