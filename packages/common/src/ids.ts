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
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

const nextUlid = monotonicFactory();

export function newId(prefix: IdPrefix): string {
  return `${prefix}${nextUlid()}`;
}
