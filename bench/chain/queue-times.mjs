// When each job run's execute job entered BullMQ (its `timestamp`, set by whoever added it) and
// when an executor's worker took it (`processedOn`), read from the job hashes the queue keeps
// (completed jobs are kept a day), and whether an executor added it (the fast path: its armed key
// says `taken`). Attempt 1's BullMQ job id is the job-run id.
import { Redis } from 'ioredis';

/** jobRunId → { enqueued, taken (ms since the epoch), byExecutor } for the job runs found in `queue`. */
export async function queueTimes(redisUrl, jobRunIds, { prefix = 'fluxi', queue = 'execute-default' } = {}) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const out = new Map();
    for (const id of jobRunIds) {
      const [timestamp, processedOn] = await redis.hmget(`${prefix}:${queue}:${id}`, 'timestamp', 'processedOn');
      const armed = await redis.get(`${prefix}:fluxi:armed:${id}`);
      if (timestamp !== null && processedOn !== null)
        out.set(id, { enqueued: Number(timestamp), taken: Number(processedOn), byExecutor: armed === 'taken' });
    }
    return out;
  } finally {
    redis.disconnect();
  }
}
