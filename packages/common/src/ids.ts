import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Typed, sortable id prefixes: a prefix then a ULID. */
export const IdPrefix = {
  job: 'J',
  pipeline: 'P',
  schedule: 'S',
  jobContext: 'CJ',
  pipelineContext: 'CP',
  pipelineRun: 'R',
  jobRun: 'JR',
  user: 'U',
  apiKey: 'K',
  session: 'SE',
  auditEntry: 'AU',
  runEvent: 'EV',
  webhookDelivery: 'WD',
  secret: 'SC',
  notificationSubscription: 'NS',
  notificationDelivery: 'ND',
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

/** Random bytes for ids, from the system's CSPRNG in blocks (ulid's own source asks it once per character). */
const pool = new Uint8Array(4096);
let taken = pool.length;

/** A fraction in [0, 1) in steps of 1/256, as ulid's own source gives (32 characters: 8 values each). */
function pooledRandom(): number {
  if (taken === pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  return (pool[taken++] as number) / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

export function newId(prefix: IdPrefix): string {
  return `${prefix}${nextUlid()}`;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Ids received from elsewhere become NATS subject tokens, msgIDs and folder names:
 * true when `id` keeps to safe characters (letters, digits, `_`, `-`; 1 to 128).
 */
export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id);
}
