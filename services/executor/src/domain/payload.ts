import { FluxiError, isSafeId } from '@fluxi/common';
import { ContractVersion, ExecuteJobSchema, fromJson, type ExecuteJob, type JobSpec } from '@fluxi/contracts';

/** An ExecuteJob that passed validation: its job spec is present. */
export type ValidExecuteJob = ExecuteJob & { job: JobSpec };

/**
 * Validates the data of a BullMQ `execute` job ({ payload: ExecuteJob as proto JSON })
 * on arrival: shape, contract version and the fields the executor relies on.
 * Throws FluxiError BAD_USER_INPUT naming the field at fault.
 */
export function parseExecutePayload(data: unknown): ValidExecuteJob {
  if (typeof data !== 'object' || data === null || !('payload' in data)) {
    throw invalid('job data must be an object with a payload', 'payload');
  }
  const payload = (data as { payload: unknown }).payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalid('payload must be an ExecuteJob in proto JSON', 'payload');
  }
  let message: ExecuteJob;
  try {
    // Unknown fields are tolerated: a newer scheduler may add optional ones within the same version.
    message = fromJson(ExecuteJobSchema, payload as Parameters<typeof fromJson>[1], { ignoreUnknownFields: true });
  } catch (cause) {
    throw invalid(`payload is not a valid ExecuteJob: ${(cause as Error).message}`, 'payload');
  }
  if (message.version !== ContractVersion.CONTRACT_VERSION_1) {
    throw invalid(`unsupported contract version ${String(message.version)}`, 'payload.version');
  }
  if (!isSafeId(message.jobRunId)) throw invalid('jobRunId is missing or malformed', 'payload.jobRunId');
  if (!isSafeId(message.pipelineRunId)) {
    throw invalid('pipelineRunId is missing or malformed', 'payload.pipelineRunId');
  }
  if (message.attempt < 1) throw invalid('attempt must be 1 or more', 'payload.attempt');
  message.artifactsFrom.forEach((source, index) => {
    if (!isSafeId(source.jobRunId)) {
      throw invalid('artifact source jobRunId is missing or malformed', `payload.artifactsFrom[${index}].jobRunId`);
    }
  });
  const job = message.job;
  if (job === undefined) throw invalid('job is missing', 'payload.job');
  if (job.image === '' && job.command.trim() === '') throw invalid('job.command is empty', 'payload.job.command');
  return message as ValidExecuteJob;
}

function invalid(message: string, field: string): FluxiError {
  return new FluxiError('BAD_USER_INPUT', `invalid execute payload: ${message}`, { field });
}
