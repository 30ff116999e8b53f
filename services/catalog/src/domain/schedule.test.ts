import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { applySchedulePatch, timingChanged, validateSchedule, type ScheduleInput } from './schedule.js';

const NOW = new Date('2026-06-01T12:00:00Z');

function refusal(input: ScheduleInput): { field: string | undefined; message: string } {
  try {
    validateSchedule(input, 'input', { now: NOW });
  } catch (error) {
    if (error instanceof FluxiError && error.code === 'BAD_USER_INPUT')
      return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a FluxiError, nothing was thrown');
}

describe('validateSchedule', () => {
  it('applies the defaults and normalises cron spacing and the time zone spelling', () => {
    expect(validateSchedule({ name: 'nightly', pipelineId: 'P1', cron: ' 0  3 * * * ' })).toEqual({
      name: 'nightly',
      targets: [{ pipelineId: 'P1', jobId: null }],
      cron: '0 3 * * *',
      at: null,
      timezone: 'UTC',
      enabled: true,
      overlap: 'ALLOW',
      missedFires: 'RUN_ONCE',
    });
    expect(validateSchedule({ name: 'n', pipelineId: 'P1', cron: '@daily', timezone: 'europe/paris' }).timezone).toBe(
      'Europe/Paris',
    );
  });

  it('reads what cron-parser refused: seconds, L, W, #, and upper-case macros', () => {
    for (const cron of ['*/5 * * * * *', '0 0 15W * *', '0 0 L * *', '0 0 * * 5#3', '0 0 * * 5#L', '@HOURLY']) {
      expect(validateSchedule({ name: 'n', pipelineId: 'P1', cron }, 'input', { now: NOW }).cron).toBe(
        cron.toLowerCase() === '@hourly' ? '@hourly' : cron,
      );
    }
  });

  it('takes several targets, jobs and pipelines, and the policies', () => {
    const schedule = validateSchedule({
      name: 'n',
      targets: [{ pipelineId: 'P1' }, { jobId: 'J1' }],
      cron: '@daily',
      overlap: 'QUEUE',
      missedFires: 'ALL',
    });
    expect(schedule).toMatchObject({
      targets: [
        { pipelineId: 'P1', jobId: null },
        { pipelineId: null, jobId: 'J1' },
      ],
      overlap: 'QUEUE',
      missedFires: 'ALL',
    });
  });

  it('takes one instant, with an offset or in the time zone, in the future only', () => {
    const once = validateSchedule(
      { name: 'once', pipelineId: 'P1', at: '2026-12-01T11:00:00+01:00', enabled: false },
      'input',
      { now: NOW },
    );
    expect(once).toMatchObject({ cron: null, at: new Date('2026-12-01T10:00:00Z'), enabled: false });
    const local = validateSchedule(
      { name: 'once', pipelineId: 'P1', at: '2026-12-01T11:00', timezone: 'Europe/Paris' },
      'input',
      { now: NOW },
    );
    expect(local.at).toEqual(new Date('2026-12-01T10:00:00Z'));
    expect(refusal({ name: 'n', pipelineId: 'P1', at: '2026-01-01T00:00:00Z' })).toMatchObject({
      field: 'input.at',
      message: expect.stringContaining('in the past') as unknown,
    });
  });

  it('refuses bad cron expressions, naming the field', () => {
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '61 * * * *' })).toMatchObject({
      field: 'input.cron',
      message: expect.stringContaining('61') as unknown,
    });
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '* * *' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '0 0 3 * * * *' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@secondly' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: 'every day' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '0 0 30 2 *' }).message).toContain('never fires');
  });

  it('needs exactly one of cron and at, a known time zone, targets and known policies', () => {
    expect(refusal({ name: 'n', pipelineId: 'P1' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@daily', at: '2027-01-01T00:00:00Z' }).field).toBe('input.at');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@daily', timezone: 'Mars/Olympus' }).field).toBe(
      'input.timezone',
    );
    expect(refusal({ name: 'n', pipelineId: 'P1', at: '2027-01-01 10:00' }).field).toBe('input.at');
    expect(refusal({ name: 'n', pipelineId: 'P1', at: '2027-02-30T10:00:00Z' }).field).toBe('input.at');
    expect(refusal({ name: 'bad name', pipelineId: 'P1', cron: '@daily' }).field).toBe('input.name');
    expect(refusal({ name: 'n', cron: '@daily' }).field).toBe('input.pipelineId');
    expect(refusal({ name: 'n', pipelineId: 'P1', targets: [{ jobId: 'J1' }], cron: '@daily' }).field).toBe(
      'input.pipelineId',
    );
    expect(refusal({ name: 'n', targets: [], cron: '@daily' }).field).toBe('input.targets');
    expect(refusal({ name: 'n', targets: [{ pipelineId: 'P1', jobId: 'J1' }], cron: '@daily' }).field).toBe(
      'input.targets[0].jobId',
    );
    expect(refusal({ name: 'n', targets: [{ jobId: 'J1' }, { jobId: 'J1' }], cron: '@daily' }).field).toBe(
      'input.targets[1].jobId',
    );
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@daily', overlap: 'NEVER' }).field).toBe('input.overlap');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@daily', missedFires: 'SOME' }).field).toBe(
      'input.missedFires',
    );
  });

  it('patches: absent keeps, null clears, pipelineId or targets replace the targets', () => {
    const current = validateSchedule({ name: 'n', pipelineId: 'P1', cron: '@daily', overlap: 'SKIP' });
    expect(applySchedulePatch(current, { enabled: false }, 'input', NOW)).toMatchObject({
      cron: '@daily',
      enabled: false,
      overlap: 'SKIP',
    });
    expect(applySchedulePatch(current, { overlap: null }, 'input', NOW).overlap).toBe('ALLOW');
    expect(applySchedulePatch(current, { cron: null, at: '2027-01-01T00:00:00Z' }, 'input', NOW)).toMatchObject({
      cron: null,
      at: new Date('2027-01-01T00:00:00Z'),
    });
    expect(applySchedulePatch(current, { pipelineId: 'P2' }, 'input', NOW).targets).toEqual([
      { pipelineId: 'P2', jobId: null },
    ]);
    expect(applySchedulePatch(current, { targets: [{ jobId: 'J9' }] }, 'input', NOW).targets).toEqual([
      { pipelineId: null, jobId: 'J9' },
    ]);
  });

  it('keeps a stored one-shot that passed, but refuses a new one in the past', () => {
    const fired = validateSchedule({ name: 'n', pipelineId: 'P1', at: '2026-01-01T00:00:00Z' }, 'input', {
      allowPast: true,
    });
    expect(applySchedulePatch(fired, { name: 'renamed' }, 'input', NOW).name).toBe('renamed');
    expect(() => applySchedulePatch(fired, { at: '2026-02-01T00:00:00Z' }, 'input', NOW)).toThrow('in the past');
  });

  it('says when the timing changed (the scheduler starts the schedule afresh)', () => {
    const current = validateSchedule({ name: 'n', pipelineId: 'P1', cron: '@daily' });
    expect(timingChanged(current, { ...current, name: 'other', overlap: 'SKIP' })).toBe(false);
    expect(timingChanged(current, { ...current, cron: '@hourly' })).toBe(true);
    expect(timingChanged(current, { ...current, timezone: 'Europe/Paris' })).toBe(true);
    expect(timingChanged({ ...current, enabled: false }, current)).toBe(true);
    expect(timingChanged(current, { ...current, enabled: false })).toBe(false);
  });
});
