import { describe, expect, it } from 'vitest';
import {
  executeJobId,
  executeQueueName,
  executeQueuesKey,
  parseExecuteQueueName,
  ROUTE_NAME,
  Streams,
  Subjects,
} from './subjects.js';

describe('run events', () => {
  it('are on the events stream, outside the jobrun subjects the scheduler consumes', () => {
    expect(Subjects.runEvent('R01')).toBe('fluxi.events.run.R01');
    expect(Subjects.runEvent('R01').startsWith('fluxi.events.jobrun.')).toBe(false);
    expect(Streams.events.subjects).toContain('fluxi.events.>');
  });
});

describe('executeJobId', () => {
  it('is the job-run id for attempt 1, suffixed after', () => {
    expect(executeJobId('JR1', 1)).toBe('JR1');
    expect(executeJobId('JR1', 3)).toBe('JR1-a3');
  });
});

describe('execute queue names', () => {
  it('name the pool, then the sorted distinct tags', () => {
    expect(executeQueueName('linux')).toBe('execute-linux');
    expect(executeQueueName('')).toBe('execute-default');
    expect(executeQueueName('linux', ['gpu', 'arm64', 'gpu'])).toBe('execute-linux--arm64+gpu');
  });

  it('read back to the pool and tags they were made from', () => {
    expect(parseExecuteQueueName('execute-linux-docker')).toEqual({ pool: 'linux-docker', tags: [] });
    expect(parseExecuteQueueName('execute-a--arm64+gpu-large')).toEqual({ pool: 'a', tags: ['arm64', 'gpu-large'] });
    for (const other of ['execute-', 'execute-a--', 'execute-a--b+a', 'execute-A', 'logs-a', 'execute-a---b']) {
      expect(parseExecuteQueueName(other)).toBeUndefined();
    }
  });

  it('cannot stand for two routes: pool and tag names have no "--"', () => {
    expect(ROUTE_NAME.test('a--b')).toBe(false);
    expect(ROUTE_NAME.test('-a')).toBe(false);
    expect(ROUTE_NAME.test('a-b')).toBe(true);
    expect(ROUTE_NAME.test('a'.repeat(64))).toBe(false);
  });

  it('are listed per pool under the BullMQ prefix', () => {
    expect(executeQueuesKey('fluxi', 'linux')).toBe('fluxi:fluxi:queues:linux');
  });
});
