import type { Logger } from '@fluxi/common';
import {
  create,
  FindWebhookPipelinesRequestSchema,
  FindWebhookPipelinesResponseSchema,
  GetJobRequestSchema,
  GetJobResponseSchema,
  GetPipelineSnapshotRequestSchema,
  GetPipelineSnapshotResponseSchema,
  PrincipalSchema,
  Role,
  Subjects,
  VerifyApiKeyRequestSchema,
  VerifyApiKeyResponseSchema,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import { verifyApiKey } from '../../app/key-verifier.js';
import { errorDetail } from './error-detail.js';
import { buildSnapshot, jobSpec } from '../../domain/snapshot.js';
import type { Role as RoleName } from '../../domain/user.js';
import type { AccessStore } from '../../store/access-store.js';
import type { JobStore } from '../../store/job-store.js';
import type { PipelineStore, WebhookPipelineSecret } from '../../store/pipeline-store.js';

export interface RequestHandlerDeps {
  jobs: JobStore;
  pipelines: PipelineStore;
  access: AccessStore;
  logger: Logger;
}

const ROLE: Record<RoleName, Role> = { admin: Role.ADMIN, writer: Role.WRITER, reader: Role.READER };

/** Serves the catalog's request/reply subjects. Returns a function that stops serving. */
export function serveCatalogRequests(nc: NatsConnection, deps: RequestHandlerDeps): () => void {
  const { jobs, pipelines, access, logger } = deps;
  const stops = [
    serve(nc, {
      subject: Subjects.pipelineSnapshot,
      request: GetPipelineSnapshotRequestSchema,
      response: GetPipelineSnapshotResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const { pipeline, jobs: used } = await pipelines.withJobs(req.pipelineId);
          return create(GetPipelineSnapshotResponseSchema, {
            result: { case: 'snapshot', value: buildSnapshot(pipeline, used) },
          });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.pipelineSnapshot);
          return create(GetPipelineSnapshotResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
    serve(nc, {
      subject: Subjects.jobGet,
      request: GetJobRequestSchema,
      response: GetJobResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const job = await jobs.require(req.jobId);
          return create(GetJobResponseSchema, { result: { case: 'job', value: jobSpec(job) } });
        } catch (error) {
          return create(GetJobResponseSchema, {
            result: { case: 'error', value: errorDetail(error, logger, Subjects.jobGet) },
          });
        }
      },
    }),
    serve(nc, {
      subject: Subjects.webhookPipelines,
      request: FindWebhookPipelinesRequestSchema,
      response: FindWebhookPipelinesResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const found = await pipelines.webhookPipelines(req.repositoryKey, (pipelineId, err) =>
            logger.error(
              { pipelineId, err },
              'the webhook secret of a pipeline does not open (another secrets.masterKey or key file?); set it again',
            ),
          );
          const value = { pipelines: found.map(webhookPipeline) };
          return create(FindWebhookPipelinesResponseSchema, { result: { case: 'pipelines', value } });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.webhookPipelines);
          return create(FindWebhookPipelinesResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
    serve(nc, {
      subject: Subjects.apiKeyVerify,
      request: VerifyApiKeyRequestSchema,
      response: VerifyApiKeyResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const key = await verifyApiKey(access, req.key, logger);
          const value = create(PrincipalSchema, {
            userId: key.userId,
            userName: key.userName,
            keyId: key.keyId,
            role: ROLE[key.role],
            expiresAtMs: BigInt(key.expiresAt?.getTime() ?? 0),
          });
          return create(VerifyApiKeyResponseSchema, { result: { case: 'principal', value } });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.apiKeyVerify);
          return create(VerifyApiKeyResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
  ];
  return () => stops.forEach((stop) => stop());
}

/** The reply for one pipeline: its filters and secret, nothing else of the pipeline. */
function webhookPipeline({ pipelineId, git, secret }: WebhookPipelineSecret) {
  return {
    pipelineId,
    repository: git.repository,
    branches: git.branches,
    tags: git.tags,
    events: git.events.map((event) => event.toLowerCase()),
    webhookSecret: secret,
  };
}
