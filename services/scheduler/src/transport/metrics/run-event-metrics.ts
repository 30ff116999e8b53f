import { cicdResult } from '../../domain/trace-spans.js';
import { BoundedLabel, Counter, DURATION_BUCKETS, Histogram, LATENCY_BUCKETS, type Registry } from '@fluxi/common';
import {
  FailureClass,
  RunEventKind,
  RunStatus,
  type RunEvent,
  type RunEventJobRun,
  type RunEventRun,
} from '@fluxi/contracts';

/** Most job runs (between QUEUED and STARTED) and run names remembered; the oldest are forgotten first. */
const MAX_TRACKED = 50_000;

/**
 * The OpenTelemetry CI/CD result of an ended run or job run (`cicd.pipeline.result`:
 * success, failure, error, timeout, cancellation, skip).
 */
export function resultOf(status: RunStatus, failureClass: FailureClass = FailureClass.UNSPECIFIED): string {
  return cicdResult(status, failureClass) ?? 'unknown';
}

const ENDED = new Set([RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.SKIPPED]);

/**
 * The metrics the run events make (stream FLUXI_EVENTS, `fluxi.events.run.>`): run and job
 * run durations by pipeline and result, run errors, pickup latency (job run queued → its
 * attempt started), the wait for a concurrency group. Pipeline names are bounded
 * (`metrics.maxPipelineLabels`, then `other`); no run or job-run id is ever a label.
 */
export class RunEventMetrics {
  private readonly pipelines: BoundedLabel;
  /** Pipeline name by pipeline run id, from its run events (job-run events carry no name). */
  private readonly runNames = new Map<string, string>();
  /** When each job run's current attempt was queued (`<jobRunId>:<attempt>` → epoch ms). */
  private readonly queuedAt = new Map<string, number>();
  private readonly runDuration: Histogram<'pipeline' | 'result'>;
  private readonly runErrors: Counter<'pipeline' | 'error_type'>;
  private readonly runsTriggered: Counter<'trigger'>;
  private readonly jobDuration: Histogram<'pipeline' | 'result'>;
  private readonly pickup: Histogram;
  private readonly groupWait: Histogram<'pipeline'>;
  private readonly retries: Counter<'pipeline'>;

  constructor(
    registry: Registry,
    private readonly options: {
      maxPipelineLabels: number;
      /** The run's pipeline (or job) name from its snapshot, asked once per run (run events carry no name). */
      nameOf: (pipelineRunId: string) => Promise<string | null>;
    },
  ) {
    this.pipelines = new BoundedLabel(options.maxPipelineLabels);
    const registers = [registry];
    this.runDuration = new Histogram({
      name: 'fluxi_cicd_pipeline_run_duration_seconds',
      help: 'Duration of ended pipeline runs, from creation to end (OTel cicd.pipeline.run.duration), by pipeline and result.',
      labelNames: ['pipeline', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.runErrors = new Counter({
      name: 'fluxi_cicd_pipeline_run_errors_total',
      help: 'Pipeline runs that ended FAILED (OTel cicd.pipeline.run.errors), by pipeline and error type.',
      labelNames: ['pipeline', 'error_type'],
      registers,
    });
    this.runsTriggered = new Counter({
      name: 'fluxi_pipeline_runs_triggered_total',
      help: 'Pipeline runs created, by trigger (manual, api, schedule, webhook, rerun).',
      labelNames: ['trigger'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'fluxi_job_run_duration_seconds',
      help: 'Duration of ended job runs, from start to end of their last attempt, by pipeline and result.',
      labelNames: ['pipeline', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.pickup = new Histogram({
      name: 'fluxi_job_run_pickup_latency_seconds',
      help: 'Time from a job run attempt being queued (or its retry backoff ending) to an executor starting it.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.groupWait = new Histogram({
      name: 'fluxi_concurrency_group_wait_seconds',
      help: 'Time a pipeline run waited for its concurrency group before it was admitted, by pipeline.',
      labelNames: ['pipeline'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'fluxi_job_run_retries_total',
      help: 'Failed job run attempts that will be tried again, by pipeline.',
      labelNames: ['pipeline'],
      registers,
    });
  }

  /** Takes the events one at a time, in order (each awaited before the next). */
  async observe(event: RunEvent): Promise<void> {
    const { entity } = event;
    if (entity.case !== 'run' && entity.case !== 'jobRun') return;
    const pipeline = this.pipelines.value(await this.nameOf(event, entity.case === 'run' ? entity.value.name : ''));
    if (entity.case === 'run') this.observeRun(event, entity.value, pipeline);
    else this.observeJobRun(event, entity.value, pipeline);
  }

  private async nameOf(event: RunEvent, named: string): Promise<string | undefined> {
    const known = named !== '' ? named : this.runNames.get(event.pipelineRunId);
    if (known !== undefined) {
      remember(this.runNames, event.pipelineRunId, known);
      return known;
    }
    const found = await this.options.nameOf(event.pipelineRunId);
    if (found === null) return undefined;
    remember(this.runNames, event.pipelineRunId, found);
    return found;
  }

  private observeRun(event: RunEvent, run: RunEventRun, pipeline: string): void {
    if (event.kind === RunEventKind.CREATED) this.runsTriggered.inc({ trigger: run.trigger || 'unknown' });
    if (event.kind === RunEventKind.ADMITTED && run.createdAtMs > 0n) {
      this.groupWait.observe({ pipeline }, seconds(event.atMs - run.createdAtMs));
    }
    if (!ENDED.has(run.status) || run.endedAtMs === 0n) return;
    const result = resultOf(run.status);
    this.runDuration.observe({ pipeline, result }, seconds(run.endedAtMs - run.createdAtMs));
    if (run.status === RunStatus.FAILED) {
      this.runErrors.inc({ pipeline, error_type: /time(d)? ?out/i.test(run.reason) ? 'timeout' : 'failure' });
    }
  }

  private observeJobRun(event: RunEvent, jobRun: RunEventJobRun, pipeline: string): void {
    const key = `${jobRun.jobRunId}:${jobRun.attempt}`;
    switch (event.kind) {
      case RunEventKind.RETRY_SCHEDULED:
        this.retries.inc({ pipeline });
        remember(this.queuedAt, key, Number(jobRun.notBeforeMs > event.atMs ? jobRun.notBeforeMs : event.atMs));
        return;
      case RunEventKind.STARTED: {
        const queued = this.queuedAt.get(key);
        this.queuedAt.delete(key);
        const started = jobRun.startedAtMs > 0n ? Number(jobRun.startedAtMs) : Number(event.atMs);
        if (queued !== undefined) this.pickup.observe(Math.max(0, started - queued) / 1000);
        return;
      }
      default:
        break;
    }
    // Queued when created, or later (QUEUED): the first event that shows it queued starts the pickup clock.
    if (jobRun.status === RunStatus.QUEUED) {
      if (!this.queuedAt.has(key)) {
        remember(this.queuedAt, key, Number(jobRun.notBeforeMs > event.atMs ? jobRun.notBeforeMs : event.atMs));
      }
      return;
    }
    if (!ENDED.has(jobRun.status)) return;
    this.queuedAt.delete(key);
    if (jobRun.status === RunStatus.SKIPPED || jobRun.startedAtMs === 0n || jobRun.endedAtMs === 0n) return;
    this.jobDuration.observe(
      { pipeline, result: resultOf(jobRun.status, jobRun.failureClass) },
      seconds(jobRun.endedAtMs - jobRun.startedAtMs),
    );
  }
}

/** Sets `key` as the newest entry of `map`, forgetting the oldest past MAX_TRACKED. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

function seconds(ms: bigint): number {
  return Math.max(0, Number(ms)) / 1000;
}
