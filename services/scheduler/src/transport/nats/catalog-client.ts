import { FluxiError, type ErrorCode } from '@fluxi/common';
import {
  ContractVersion,
  create,
  GetJobRequestSchema,
  GetJobResponseSchema,
  GetPipelineSnapshotRequestSchema,
  GetPipelineSnapshotResponseSchema,
  Subjects,
  type ErrorDetail,
  type JobSpec,
  type PipelineSnapshot,
} from '@fluxi/contracts';
import { request, type NatsConnection } from '@fluxi/messaging';
import type { CatalogClient } from '../../engine/ports.js';

const CODES: readonly ErrorCode[] = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNAVAILABLE',
  'INTERNAL',
];

/** Asks the catalog service over NATS request/reply. */
export class NatsCatalogClient implements CatalogClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5000,
  ) {}

  async pipelineSnapshot(pipelineId: string): Promise<PipelineSnapshot> {
    const response = await request(
      this.nc,
      Subjects.pipelineSnapshot,
      { request: GetPipelineSnapshotRequestSchema, response: GetPipelineSnapshotResponseSchema },
      create(GetPipelineSnapshotRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, pipelineId }),
      this.timeoutMs,
    );
    if (response.result.case === 'snapshot') return response.result.value;
    throw catalogError(response.result.case === 'error' ? response.result.value : undefined, `pipeline ${pipelineId}`);
  }

  async job(jobId: string): Promise<JobSpec> {
    const response = await request(
      this.nc,
      Subjects.jobGet,
      { request: GetJobRequestSchema, response: GetJobResponseSchema },
      create(GetJobRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, jobId }),
      this.timeoutMs,
    );
    if (response.result.case === 'job') return response.result.value;
    throw catalogError(response.result.case === 'error' ? response.result.value : undefined, `job ${jobId}`);
  }
}

function catalogError(detail: ErrorDetail | undefined, what: string): FluxiError {
  if (detail === undefined) return new FluxiError('INTERNAL', `the catalog answered nothing for ${what}`);
  const code = CODES.find((known) => known === detail.code) ?? 'INTERNAL';
  return new FluxiError(
    code,
    detail.message || `${what}: ${detail.code}`,
    detail.field === '' ? {} : { field: detail.field },
  );
}
