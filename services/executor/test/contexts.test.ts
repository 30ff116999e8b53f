import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import {
  ErrorDetailSchema,
  FailureClass,
  JobOutcome,
  LogStream,
  ResolveContextsRequestSchema,
  ResolveContextsResponseSchema,
  ResolvedContextsSchema,
  Subjects,
  create,
  type ResolveContextsRequest,
} from '@fluxi/contracts';
import { serve } from '@fluxi/messaging';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  testConfig,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

/** What the test's stand-in scheduler knows. */
const CONTEXTS: Record<string, string> = { build: 'v1.2.3', other: '$$(build)', 'deploy.prod': 'https://example.test' };
const MAX_BYTES = 16;

let servers: TestServers;
let running: TestExecutor;
let stopServing: (() => void) | undefined;
const requests: ResolveContextsRequest[] = [];

/** Plays the scheduler on fluxi.scheduler.contexts.resolve. */
function serveContexts(): () => void {
  return serve(servers.nats.nc, {
    subject: Subjects.contextsResolve,
    request: ResolveContextsRequestSchema,
    response: ResolveContextsResponseSchema,
    logger: silentLogger(),
    handler: async (request) => {
      requests.push(request);
      const unknown = request.names.find((name) => !(name in CONTEXTS));
      if (unknown !== undefined) {
        return create(ResolveContextsResponseSchema, {
          result: {
            case: 'error',
            value: create(ErrorDetailSchema, { code: 'NOT_FOUND', message: `context ${unknown} does not exist` }),
          },
        });
      }
      const values = Object.fromEntries(request.names.map((name) => [name, CONTEXTS[name] as string]));
      return create(ResolveContextsResponseSchema, {
        result: { case: 'contexts', value: create(ResolvedContextsSchema, { values }) },
      });
    },
  });
}

beforeAll(async () => {
  servers = await startTestServers('fluxi-executor-contexts-');
  stopServing = serveContexts();
  await servers.nats.nc.flush();
  running = await startTestExecutor(servers, testConfig(dataDirOf(servers), {}, { contexts: { maxBytes: MAX_BYTES } }));
});

afterAll(async () => {
  stopServing?.();
  await running?.stop();
  await servers?.stop();
});

const requestsOf = (jobRunId: string) => requests.filter((request) => request.jobRunId === jobRunId);

describe('contexts $$(name)', () => {
  it('substitutes the values the scheduler gives, in one pass, asking once for the distinct names', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({ command: `echo "v=$$(build)"; echo "$$( other )"; echo $$(build)` }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, exitCode: 0 });
    // other's value is `$$(build)`: inserted as data, never expanded again.
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['v=v1.2.3', '$$(build)', 'v1.2.3']);
    expect(texts(run.lines, LogStream.SYSTEM)[0]).toBe('resolved contexts build, other');
    const asked = requestsOf(job.jobRunId);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ pipelineRunId: job.pipelineRunId, names: ['build', 'other'] });
  });

  it('fails the attempt as a job failure on an unknown context, without running the command', async () => {
    const marker = join(servers.dirs.path, 'ran');
    const job = await enqueue(
      running.queue,
      executeJob({ command: 'touch "$MARKER"; echo $$(build) $$(nope)', env: { MARKER: marker } }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    const reason = 'unknown context "nope": context nope does not exist';
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.JOB,
      exitCode: -1,
      reason,
    });
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([reason]);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('asks nothing for a command without references', async () => {
    const job = await enqueue(running.queue, executeJob({ command: 'echo $$ > /dev/null; echo plain' }));
    const run = await servers.collector.attempt(job.jobRunId);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['plain']);
    expect(requestsOf(job.jobRunId)).toEqual([]);
  });

  it('is an infrastructure failure when nobody answers', async () => {
    stopServing?.();
    stopServing = undefined;
    await servers.nats.nc.flush();
    try {
      const job = await enqueue(running.queue, executeJob({ command: 'echo $$(build)' }));
      const run = await servers.collector.attempt(job.jobRunId);
      expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.INFRASTRUCTURE });
      expect(run.finished.reason).toMatch(
        /^could not resolve contexts build: no answer on fluxi\.scheduler\.contexts\.resolve/,
      );
    } finally {
      stopServing = serveContexts();
      await servers.nats.nc.flush();
    }
  });
});

describe('standard output kept as context', () => {
  it('keeps the first contexts.maxBytes bytes of stdout only, and counts the whole', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({ command: "echo to-stderr >&2; printf 'abc\\n'; head -c 100 /dev/zero | tr '\\0' x" }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(new TextDecoder().decode(run.finished.output)).toBe(`abc\n${'x'.repeat(MAX_BYTES - 4)}`);
    expect(run.finished.outputBytes).toBe(104n);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([`context cut at ${MAX_BYTES} of 104 bytes of standard output`]);
  });

  it('sends the whole output when it fits, and says nothing', async () => {
    const job = await enqueue(running.queue, executeJob({ command: "printf 'short'" }));
    const run = await servers.collector.attempt(job.jobRunId);
    expect(new TextDecoder().decode(run.finished.output)).toBe('short');
    expect(run.finished.outputBytes).toBe(5n);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([]);
  });
});
