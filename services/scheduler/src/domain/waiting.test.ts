import { describe, expect, it } from 'vitest';
import { executorReason, needsReason, type DirectoryExecutor } from './waiting.js';

const executor = (
  pool: string,
  tags: string[],
  state: DirectoryExecutor['state'] = 'idle',
  pausedReason = '',
): DirectoryExecutor => ({ pool, tags, state, pausedReason });

const LOW_MEMORY = 'free memory 300 MiB is under 512 MiB';
const HIGH_LOAD = 'load per CPU 3.10 is over 2';

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

  it('say why when every able executor is paused by its host, and name both when some drain', () => {
    expect(executorReason('a', [], [executor('a', [], 'idle', LOW_MEMORY)])).toBe(
      `waiting: every executor in pool a is paused: ${LOW_MEMORY}`,
    );
    expect(
      executorReason(
        'a',
        ['gpu'],
        [executor('a', ['gpu'], 'busy', LOW_MEMORY), executor('a', ['gpu'], 'idle', LOW_MEMORY)],
      ),
    ).toBe(`waiting: every executor in pool a with tags [gpu] is paused: ${LOW_MEMORY}`);
    expect(executorReason('a', [], [executor('a', [], 'idle', LOW_MEMORY), executor('a', [], 'idle', HIGH_LOAD)])).toBe(
      `waiting: every executor in pool a is paused: ${LOW_MEMORY}; ${HIGH_LOAD}`,
    );
    expect(
      executorReason('a', [], [executor('a', [], 'draining', HIGH_LOAD), executor('a', [], 'idle', LOW_MEMORY)]),
    ).toBe(`waiting: every executor in pool a is draining (1) or paused (1): ${LOW_MEMORY}`);
  });

  it('count only the executors taking work, never the paused, lost or untagged ones', () => {
    expect(
      executorReason(
        'a',
        ['gpu'],
        [
          executor('a', ['gpu'], 'idle', LOW_MEMORY),
          executor('a', ['gpu'], 'busy'),
          executor('a', ['gpu'], 'lost'),
          executor('a', [], 'idle'),
        ],
      ),
    ).toBe('waiting: queued for the executor in pool a with tags [gpu]');
    expect(
      executorReason('a', [], [executor('a', [], 'lost', LOW_MEMORY), executor('b', [], 'idle', LOW_MEMORY)]),
    ).toBe('waiting: no executor in pool a');
  });

  it('show at most three distinct paused reasons', () => {
    const hosts = ['m1', 'm2', 'm3', 'm4', 'm5'].map((name) => executor('a', [], 'idle', `${name}: ${LOW_MEMORY}`));
    expect(executorReason('a', [], [...hosts, executor('a', [], 'idle', `m1: ${LOW_MEMORY}`)])).toBe(
      `waiting: every executor in pool a is paused: m1: ${LOW_MEMORY}; m2: ${LOW_MEMORY}; m3: ${LOW_MEMORY} and 2 more`,
    );
  });

  it('list what a job run waits for, at most five', () => {
    expect(needsReason(['build'])).toBe('waiting: for build to end');
    expect(needsReason(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('waiting: for a, b, c, d, e and 2 more to end');
  });
});
