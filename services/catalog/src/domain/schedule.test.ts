import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { applySchedulePatch, validateSchedule, type ScheduleInput } from './schedule.js';

function refusal(input: ScheduleInput): { field: string | undefined; message: string } {
  try {
    validateSchedule(input);
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
      pipelineId: 'P1',
      cron: '0 3 * * *',
      at: null,
      timezone: 'UTC',
      enabled: true,
    });
    expect(validateSchedule({ name: 'n', pipelineId: 'P1', cron: '@daily', timezone: 'europe/paris' }).timezone).toBe(
      'Europe/Paris',
    );
  });

  it('takes one instant with an offset', () => {
    const once = validateSchedule({ name: 'once', pipelineId: 'P1', at: '2026-12-01T11:00:00+01:00', enabled: false });
    expect(once).toMatchObject({ cron: null, at: new Date('2026-12-01T10:00:00Z'), enabled: false });
  });

  it('refuses bad cron expressions, naming the field', () => {
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '61 * * * *' })).toMatchObject({
      field: 'input.cron',
      message: expect.stringContaining('61') as unknown,
    });
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '* * *' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '0 0 3 * * *' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@secondly' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: 'every day' }).field).toBe('input.cron');
  });

  it('needs exactly one of cron and at, a known time zone and a valid instant', () => {
    expect(refusal({ name: 'n', pipelineId: 'P1' }).field).toBe('input.cron');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@daily', at: '2026-01-01T00:00:00Z' }).field).toBe('input.at');
    expect(refusal({ name: 'n', pipelineId: 'P1', cron: '@daily', timezone: 'Mars/Olympus' }).field).toBe(
      'input.timezone',
    );
    expect(refusal({ name: 'n', pipelineId: 'P1', at: '2026-01-01 10:00' }).field).toBe('input.at');
    expect(refusal({ name: 'n', pipelineId: 'P1', at: '2026-02-30T10:00:00Z' }).field).toBe('input.at');
    expect(refusal({ name: 'bad name', pipelineId: 'P1', cron: '@daily' }).field).toBe('input.name');
    expect(refusal({ name: 'n', cron: '@daily' }).field).toBe('input.pipelineId');
  });

  it('patches: absent keeps, null clears', () => {
    const current = validateSchedule({ name: 'n', pipelineId: 'P1', cron: '@daily' });
    expect(applySchedulePatch(current, { enabled: false })).toMatchObject({ cron: '@daily', enabled: false });
    expect(applySchedulePatch(current, { cron: null, at: '2026-01-01T00:00:00Z' })).toMatchObject({
      cron: null,
      at: new Date('2026-01-01T00:00:00Z'),
    });
  });
});
