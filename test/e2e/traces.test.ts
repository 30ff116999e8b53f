import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runFluxiCli, tempDir, waitFor, type CliRun } from '@fluxi/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const TRACEPARENT_LINE = /^TP=00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** One pipeline run is one trace: gateway → scheduler (run, tasks) → executor (attempts, steps) → the job. */
describe('OpenTelemetry traces', () => {
  const runs: CliRun[] = [];
  const cleanup: (() => unknown)[] = [];

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function start(env: Record<string, string>): Promise<{ dir: string; api: FluxiApi; run: CliRun }> {
    const dir = tempDir('fluxi-traces-');
    cleanup.push(() => dir.remove());
    const run = runFluxiCli(['--data-dir', dir.path, '--port', '0', '--set', 'log.console=false'], env);
    runs.push(run);
    await waitFor(() => run.out.stdout.includes('Press Ctrl-C'), { what: 'Fluxi to start', timeoutMs: 90_000 });
    const url = /GraphQL: (\S+)\/graphql/.exec(run.out.stdout)?.[1] as string;
    const key = /\n\s+(fluxi_\S+)/.exec(run.out.stdout)?.[1] as string;
    return { dir: dir.path, api: new FluxiApi(client(url, key)), run };
  }

  /** A pipeline of two stages, one job each, whose command prints the TRACEPARENT it was given. */
  async function runTwoJobs(api: FluxiApi) {
    const build = await api.createJob({ name: 'build', command: 'echo "TP=$TRACEPARENT"' });
    const test = await api.createJob({ name: 'test', command: 'echo "TP=$TRACEPARENT"' });
    const pipelineId = await api.createPipeline({
      name: 'traced',
      stages: [
        { name: 'build', entries: [{ jobId: build }] },
        { name: 'test', entries: [{ jobId: test }] },
      ],
    });
    const run = await api.ended((await api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    return run;
  }

  it('exports one trace per run whose span tree crosses gateway, scheduler and executor, into the job', async () => {
    const receiver = await OtlpReceiver.start();
    cleanup.push(() => receiver.stop());
    const { dir, api } = await start({
      FLUXI_TELEMETRY__TRACES_ENABLED: 'true',
      FLUXI_TELEMETRY__OTLP_ENDPOINT: receiver.url,
    });
    const run = await runTwoJobs(api);

    const ofRun = () => receiver.spans.filter((span) => span.attributes['cicd.pipeline.run.id'] === run.id);
    const runSpan = await waitFor(() => ofRun().find((span) => span.name === 'cicd.pipeline.run'), {
      what: 'the run span',
      timeoutMs: 30_000,
    });
    const traceId = runSpan.traceId;
    // Every span of the run's trace, once the executor's (attempts and their steps) are in too.
    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    await waitFor(
      () =>
        inTrace().filter((span) => span.name === 'fluxi.attempt.save' || span.name === 'fluxi.attempt.driver').length >=
        2,
      {
        what: 'the executor spans',
        timeoutMs: 30_000,
      },
    );
    const spans = inTrace();
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);

    // Every span of this run is in one trace.
    expect(new Set(ofRun().map((span) => span.traceId))).toEqual(new Set([traceId]));
    expect(runSpan.attributes).toMatchObject({ 'cicd.pipeline.name': 'traced', 'cicd.pipeline.result': 'success' });
    expect(runSpan.scope).toBe('@fluxi/scheduler');

    // gateway → scheduler: the run span's ancestors are the scheduler's request span and the gateway's.
    const ancestors: ReceivedSpan[] = [];
    for (let span = parentOf(runSpan); span !== undefined; span = parentOf(span)) ancestors.push(span);
    expect(ancestors.map((span) => span.scope)).toContain('@fluxi/scheduler');
    expect(ancestors.some((span) => span.name === 'gateway.fetch')).toBe(true);
    expect(ancestors.at(-1)?.parentSpanId).toBe('');
    expect(ancestors.at(-1)?.scope).toBe('@fluxi/gateway');

    // scheduler: one task span per job run, children of the run span.
    const tasks = spans.filter((span) => span.name === 'cicd.pipeline.task');
    expect(tasks.map((task) => task.attributes['cicd.pipeline.task.name']).sort()).toEqual(['build', 'test']);
    for (const task of tasks) {
      expect(task.parentSpanId).toBe(runSpan.spanId);
      expect(task.attributes['cicd.pipeline.task.run.result']).toBe('success');
      expect(run.jobRuns.map((jobRun) => jobRun.id)).toContain(task.attributes['cicd.pipeline.task.run.id']);
    }

    // executor: an attempt span under each task span, its steps under it, from the executor process.
    for (const task of tasks) {
      const attempt = spans.find((span) => span.name === 'fluxi.attempt' && span.parentSpanId === task.spanId);
      expect(attempt?.scope).toBe('@fluxi/executor');
      expect(attempt?.service).toBe('fluxi-executor');
      const steps = spans.filter((span) => span.parentSpanId === attempt?.spanId).map((span) => span.name);
      expect(steps).toEqual(
        expect.arrayContaining(['fluxi.attempt.contexts', 'fluxi.attempt.restore', 'fluxi.attempt.driver']),
      );
    }

    // The job saw TRACEPARENT: the run's trace, its own attempt span as parent.
    for (const jobRun of run.jobRuns) {
      const lines = await api.logs(jobRun.id, (all) => all.some((line) => line.startsWith('TP=')));
      const match = TRACEPARENT_LINE.exec(lines.find((line) => line.startsWith('TP=')) ?? '');
      expect(match?.[1]).toBe(traceId);
      const attempt = byId.get(match?.[2] ?? '');
      expect(attempt?.name).toBe('fluxi.attempt');
      expect(attempt?.attributes['cicd.pipeline.task.run.id']).toBe(jobRun.id);
    }

    // Logs carry the trace id (the scheduler's "run created" line, logged while the trigger's span is active).
    await waitFor(() => read(join(dir, 'logs', 'info.log')).includes(`"trace_id":"${traceId}"`), {
      what: 'a log line with the trace id',
    });
  });

  it('exports nothing and logs no error with tracing off (the default)', async () => {
    const receiver = await OtlpReceiver.start();
    cleanup.push(() => receiver.stop());
    // A collector is named by the standard variable, yet tracing is off: nothing may reach it.
    const { dir, api, run: cli } = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const run = await runTwoJobs(api);
    for (const jobRun of run.jobRuns) {
      const lines = await api.logs(jobRun.id, (all) => all.some((line) => line.startsWith('TP=')));
      expect(lines).toContain('TP=');
    }
    cli.child.kill('SIGTERM');
    await cli.exited;
    runs.splice(0);
    expect(receiver.requests).toBe(0);
    expect(read(join(dir, 'logs', 'info.log'))).not.toContain('trace_id');
    expect(read(join(dir, 'logs', 'error.log'))).toBe('');
    expect(read(join(dir, 'logs', 'executor', 'error.log'))).toBe('');
    expect(cli.out.stderr).toBe('');
  });
});
