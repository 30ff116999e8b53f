import { describe, expect, it } from 'vitest';
import { executeJobId } from './subjects.js';

describe('executeJobId', () => {
  it('is the job-run id for attempt 1, suffixed after', () => {
    expect(executeJobId('JR1', 1)).toBe('JR1');
    expect(executeJobId('JR1', 3)).toBe('JR1-a3');
  });
});
