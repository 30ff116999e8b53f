import { IdPrefix, newId, silentLogger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  GetJobRequestSchema,
  GetJobResponseSchema,
  GetPipelineSnapshotRequestSchema,
  GetPipelineSnapshotResponseSchema,
  JobSpecSchema,
  PipelineSnapshotSchema,
  RetentionSchema,
  Subjects,
  type JobSpec,
  type PipelineSnapshot,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';

export interface EntryDef {
  name: string;
  needs?: string[];
  allowFailure?: boolean;
  maxAttempts?: number;
}

/** Stands in for the catalog service: answers snapshot and job requests from memory. */
export class FakeCatalog {
  private readonly pipelines = new Map<string, PipelineSnapshot>();
  private readonly jobs = new Map<string, JobSpec>();
  private stops: (() => void)[] = [];

  constructor(private readonly nc: NatsConnection) {}

  /** Serves the catalog subjects; resolves once the server has the subscriptions. */
  async start(): Promise<this> {
    const logger = silentLogger();
    this.stops = [
      serve(this.nc, {
        subject: Subjects.pipelineSnapshot,
        request: GetPipelineSnapshotRequestSchema,
        response: GetPipelineSnapshotResponseSchema,
        logger,
        handler: async (request) => {
          const snapshot = this.pipelines.get(request.pipelineId);
          return create(GetPipelineSnapshotResponseSchema, {
            result:
              snapshot === undefined
                ? {
                    case: 'error',
                    value: { code: 'NOT_FOUND', message: `pipeline ${request.pipelineId} does not exist` },
                  }
                : { case: 'snapshot', value: snapshot },
          });
        },
      }),
      serve(this.nc, {
        subject: Subjects.jobGet,
        request: GetJobRequestSchema,
        response: GetJobResponseSchema,
        logger,
        handler: async (request) => {
          const job = this.jobs.get(request.jobId);
          return create(GetJobResponseSchema, {
            result:
              job === undefined
                ? { case: 'error', value: { code: 'NOT_FOUND', message: `job ${request.jobId} does not exist` } }
                : { case: 'job', value: job },
          });
        },
      }),
    ];
    await this.nc.flush();
    return this;
  }

  stop(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
  }

  /** Defines a job; returns its id. */
  addJob(def: EntryDef): JobSpec {
    const job = create(JobSpecSchema, {
      jobId: newId(IdPrefix.job),
      name: def.name,
      command: `echo ${def.name}`,
      allowFailure: def.allowFailure ?? false,
      maxAttempts: def.maxAttempts ?? 1,
      timeoutSec: 60,
    });
    this.jobs.set(job.jobId, job);
    return job;
  }

  /** Defines a pipeline of these stages (entry names are job names); returns its id. */
  addPipeline(stages: EntryDef[][]): string {
    const pipelineId = newId(IdPrefix.pipeline);
    this.setPipeline(pipelineId, stages);
    return pipelineId;
  }

  /** Sets a pipeline's retention (days; 0 = the installation's default), frozen into its next runs. */
  setRetention(pipelineId: string, retention: { runDays?: number; logDays?: number }): void {
    const snapshot = this.pipelines.get(pipelineId);
    if (snapshot === undefined) throw new Error(`no pipeline ${pipelineId}`);
    snapshot.retention = create(RetentionSchema, retention);
  }

  /** Replaces a pipeline's definition (as an update in the catalog would). */
  setPipeline(pipelineId: string, stages: EntryDef[][]): void {
    this.pipelines.set(
      pipelineId,
      create(PipelineSnapshotSchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        pipelineId,
        name: `pipeline ${pipelineId}`,
        stages: stages.map((entries, index) => ({
          name: `stage${index + 1}`,
          entries: entries.map((def) => ({ job: this.addJob(def), needs: def.needs ?? [] })),
        })),
      }),
    );
  }
}
