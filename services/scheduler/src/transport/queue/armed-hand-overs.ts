import { Counter, type Registry } from '@fluxi/common';
import { ARMED_TAKEN, armedAttemptKey, armedOnKey } from '@fluxi/contracts';
import type { ArmedAttempt, ArmedClaim, ArmedHandOvers } from '../../engine/ports.js';
import { bullJobOf, registrationOf } from './execute-queue.js';

/**
 * How long an armed attempt waits in Redis for the attempt it is armed on: past any job's run.
 * The scheduler claims what it armed when it applies that attempt's end, so this only bounds
 * what a lost run (deleted, or its scheduler's Redis wiped) leaves behind.
 */
export const ARMED_TTL_MS = 7 * 86_400_000;

/** How long a key an executor marked taken stays once the scheduler has seen it (for whoever looks: benches, tests). */
export const TAKEN_KEPT_MS = 60_000;

/**
 * Claims each key (KEYS) for this scheduler: `won` and deleted when it still holds the job,
 * `taken` when an executor already enqueued it (the key then expires within TAKEN_KEPT_MS),
 * `missing` when nothing was armed (or it expired).
 */
const CLAIM_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value then out[i] = 'missing'
  elseif value == '${ARMED_TAKEN}' then redis.call('PEXPIRE', key, ${TAKEN_KEPT_MS}); out[i] = 'taken'
  else redis.call('DEL', key); out[i] = 'won' end
end
return out`;

/** The fast path's counters: what was armed, and how the scheduler's claims went. */
export interface ArmingCounters {
  readonly armed: Counter;
  readonly claims: Counter<'result'>;
}

export function armingCounters(registry: Registry): ArmingCounters {
  return {
    armed: new Counter({
      name: 'fluxi_scheduler_armed_job_runs_total',
      help: 'Job runs armed on the one attempt they still waited for (the fast path: its executor may enqueue them).',
      registers: [registry],
    }),
    claims: new Counter({
      name: 'fluxi_scheduler_armed_claims_total',
      help:
        'Armed job runs settled by the scheduler once what they waited for ended, by result: taken (an executor ' +
        'had enqueued it), won (the scheduler enqueued or dropped it), missing (nothing was stored for it).',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

/** The Redis commands the hand-overs need (ioredis has them). */
export interface ArmingRedis {
  multi(): {
    set(key: string, value: string, px: 'PX', ms: number): unknown;
    sadd(key: string, member: string): unknown;
    pexpire(key: string, ms: number): unknown;
    exec(): Promise<[Error | null, unknown][] | null>;
  };
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
}

/**
 * The fast path's hand-overs in Redis, under the BullMQ prefix: an armed attempt's key holds its
 * BullMQ job (contracts `armedAttemptKey`), listed in the set of the attempt it waits for
 * (`armedOnKey`). The executor that runs that attempt takes the set when it succeeds and marks
 * each job it enqueues `taken`; this scheduler claims a key by deleting the job it holds. One
 * Redis step each, so exactly one of the two enqueues it.
 */
export class RedisArmedHandOvers implements ArmedHandOvers {
  constructor(
    private readonly redis: ArmingRedis,
    private readonly prefix: string,
    private readonly counters?: ArmingCounters,
  ) {}

  async arm(armed: readonly ArmedAttempt[]): Promise<void> {
    if (armed.length === 0) return;
    const jobs = armed.map((entry) => ({ entry, job: bullJobOf(entry.queued) }));
    const multi = this.redis.multi();
    // Executors of the pool must read the queue before a job can wait there for them.
    for (const name of new Set(jobs.map(({ job }) => job.queue))) {
      for (const [key, member] of registrationOf(this.prefix, name)) multi.sadd(key, member);
    }
    for (const { entry, job } of jobs) {
      const key = armedAttemptKey(this.prefix, entry.queued.job.jobRunId, entry.queued.job.attempt);
      const on = armedOnKey(this.prefix, entry.on.jobRunId, entry.on.attempt);
      multi.set(key, JSON.stringify(job), 'PX', ARMED_TTL_MS);
      multi.sadd(on, key);
      multi.pexpire(on, ARMED_TTL_MS);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed !== undefined) throw failed ?? new Error('the arming transaction was discarded');
    this.counters?.armed.inc(armed.length);
  }

  async claim(attempts: readonly { jobRunId: string; attempt: number }[]): Promise<ArmedClaim[]> {
    if (attempts.length === 0) return [];
    const keys = attempts.map(({ jobRunId, attempt }) => armedAttemptKey(this.prefix, jobRunId, attempt));
    const claims = (await this.redis.eval(CLAIM_SCRIPT, keys.length, ...keys)) as ArmedClaim[];
    for (const result of claims) this.counters?.claims.inc({ result });
    return claims;
  }
}
