import { limitReason, RATE_WINDOW_MS } from '../domain/limits.js';
import { waitsFor } from '../domain/readiness.js';
import { routeOf } from '../domain/routing.js';
import { isTerminal } from '../domain/status.js';
import { backoffReason, executorReason, groupReason, needsReason } from '../domain/waiting.js';
import type { JobRunRecord } from '../store/records.js';
import type { EngineResources } from './resources.js';

/**
 * Why a job run that has not started waits, computed when asked from the state it reads
 * (so it is never stale):
 * - PENDING: its run waits for its concurrency group, or it waits for what it needs;
 * - QUEUED and held back: the first limit it is at (pool, job maxConcurrent, pool rate);
 * - QUEUED and handed over: its retry backoff, or what the registered executors of its
 *   pool say (none, none with its tags, all draining, or the ones it is queued for).
 * Null for the other statuses, and for a held job run whose limits have room (the next
 * dispatch pass hands it over).
 */
export async function waitingReasonOf(resources: EngineResources, jobRun: JobRunRecord): Promise<string | null> {
  if (jobRun.status === 'PENDING') return pendingReason(resources, jobRun);
  if (jobRun.status !== 'QUEUED') return null;
  const { store } = resources;
  const state = await store.dispatch.stateOf(jobRun.id);
  if (state === undefined) return null;
  const route = routeOf(jobRun.spec);
  if (!state.dispatched) {
    const limits = resources.pools ?? {};
    const since = new Date(resources.now().getTime() - RATE_WINDOW_MS);
    const occupancy = await store.dispatch.occupancy([state.pool], [state.jobId], since);
    const held = {
      id: jobRun.id,
      pipelineRunId: jobRun.pipelineRunId,
      attempt: jobRun.attempt,
      pool: state.pool,
      jobId: state.jobId,
      jobName: jobName(jobRun),
      maxConcurrent: state.maxConcurrent,
    };
    return limitReason(held, occupancy, limits) ?? 'waiting: to be handed to the executors';
  }
  if (jobRun.notBefore !== null && jobRun.notBefore.getTime() > resources.now().getTime()) {
    return backoffReason(jobRun.notBefore);
  }
  if (resources.directory === undefined) return null;
  try {
    return executorReason(route.pool, route.tags, await resources.directory.list());
  } catch {
    return `waiting: in the queue of pool ${route.pool} (the executors could not be listed)`;
  }
}

async function pendingReason(resources: EngineResources, jobRun: JobRunRecord): Promise<string | null> {
  const run = await resources.store.getRun(jobRun.pipelineRunId);
  if (run === undefined || run.endedAt !== null) return null;
  if (run.concurrencyState === 'waiting' && run.concurrencyGroup !== null) return groupReason(run.concurrencyGroup);
  const all = await resources.store.jobRunsOf([jobRun.pipelineRunId]);
  const pending = waitsFor(jobRun, all).filter((other) => !isTerminal(other.status));
  return pending.length === 0 ? null : needsReason(pending.map((other) => other.name));
}

/** The job's own name, as frozen in the spec. */
function jobName(jobRun: JobRunRecord): string {
  const spec = jobRun.spec;
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && typeof spec['name'] === 'string') {
    return spec['name'];
  }
  return jobRun.entry;
}
