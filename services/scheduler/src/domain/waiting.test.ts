import { describe, expect, it } from 'vitest';
import { executorReason, needsReason, type DirectoryExecutor } from './waiting.js';

const executor = (pool: string, tags: string[], state: DirectoryExecutor['state'] = 'idle'): DirectoryExecutor => ({
  pool,
  tags,
  state,
});

describe('waiting reasons', () => {
  it('say when no executor of the pool is registered, or none alive', () => {
    expect(executorReason('linux-docker', [], [])).toBe('waiting: no executor in pool linux-docker');
    expect(
      executorReason('linux-docker', ['gpu'], [executor('other', ['gpu']), executor('linux-docker', [], 'lost')]),
    ).toBe('waiting: no executor in pool linux-docker');
  });

  it('say when the executors of the pool lack the tags', () => {
    expect(executorReason('linux-docker', ['gpu'], [executor('linux-docker', ['arm64'])])).toBe(
      'waiting: no executor in pool linux-docker has tags [gpu]',
    );
    expect(executorReason('a', ['arm64', 'gpu'], [executor('a', ['gpu']), executor('a', ['arm64'])])).toBe(
      'waiting: no executor in pool a has tags [arm64, gpu]',
    );
  });

  it('say when the able executors drain, else how many it is queued for', () => {
    expect(executorReason('a', ['gpu'], [executor('a', ['gpu', 'x'], 'draining')])).toBe(
      'waiting: every executor in pool a with tags [gpu] is draining',
    );
    expect(executorReason('a', [], [executor('a', [], 'busy'), executor('a', ['gpu'], 'idle')])).toBe(
      'waiting: queued for the 2 executors in pool a',
    );
    expect(executorReason('a', ['gpu'], [executor('a', ['gpu'], 'busy'), executor('a', [])])).toBe(
      'waiting: queued for the executor in pool a with tags [gpu]',
    );
  });

  it('list what a job run waits for, at most five', () => {
    expect(needsReason(['build'])).toBe('waiting: for build to end');
    expect(needsReason(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('waiting: for a, b, c, d, e and 2 more to end');
  });
});
