import { createBunRedisClient, type IRedisClient } from 'bullmq';
import { parseRedisUrl, RespConnection } from './resp-connection.js';

/**
 * A BullMQ Redis client for `url`: pass it as `connection` to a Queue or Worker and
 * `quit()` it after closing them (BullMQ does not close a client it was given).
 */
export function createRedisClient(url: string): IRedisClient {
  return createBunRedisClient(new RespConnection(parseRedisUrl(url)));
}
