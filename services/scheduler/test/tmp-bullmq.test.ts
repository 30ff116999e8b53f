import { describe, it, expect } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { startRedisServer } from '@fluxi/testkit';
import { createRedisClient } from '../src/transport/redis/client.js';

describe('shim', () => {
  it('queue + worker', async () => {
    const redis = await startRedisServer();
    const qc = createRedisClient(redis.url);
    const q = new Queue('execute-default', { connection: qc, prefix: 'fx' });
    await q.add('execute', { payload: { a: 1 } }, { jobId: 'JR1', attempts: 1, removeOnComplete: { age: 86400, count: 10000 } });
    await q.add('execute', { payload: { a: 1 } }, { jobId: 'JR1' });
    const seen: string[] = [];
    const wc = createRedisClient(redis.url);
    const w = new Worker('execute-default', async (job) => { seen.push(job.id!); return 'ok'; }, { connection: wc, prefix: 'fx', concurrency: 4 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen).toEqual(['JR1']);
    const job = await q.getJob('JR1');
    expect(await job?.getState()).toBe('completed');
    expect(await q.getJob('nope')).toBeUndefined();
    await w.close();
    await q.close();
    await wc.quit();
    await qc.quit();
    await redis.stop();
  });
});
