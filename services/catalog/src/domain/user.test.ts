import { describe, expect, it } from 'vitest';
import { lastAdminRefusal, validateExpiry, validateUserChange } from './user.js';

const admin = { role: 'admin' as const, disabledAt: null };

describe('the last admin', () => {
  it('cannot be deleted, demoted or disabled', () => {
    expect(lastAdminRefusal(admin, 1, undefined)).toMatch(/cannot be deleted/);
    expect(lastAdminRefusal(admin, 1, { role: 'writer' })).toMatch(/cannot lose the admin role/);
    expect(lastAdminRefusal(admin, 1, { disabled: true })).toMatch(/cannot be disabled/);
  });

  it('may change while another admin remains, or when the change keeps them admin', () => {
    expect(lastAdminRefusal(admin, 2, undefined)).toBeUndefined();
    expect(lastAdminRefusal(admin, 1, { role: 'admin', disabled: false })).toBeUndefined();
    expect(lastAdminRefusal({ role: 'writer', disabledAt: null }, 1, undefined)).toBeUndefined();
    expect(lastAdminRefusal({ role: 'admin', disabledAt: new Date() }, 1, undefined)).toBeUndefined();
  });
});

describe('user changes and key expiry', () => {
  it('validates the role at its field and keeps what is absent unchanged', () => {
    expect(validateUserChange({ disabled: true })).toEqual({ disabled: true });
    expect(() => validateUserChange({ role: 'root' })).toThrow(/role "root" is invalid/);
  });

  it('takes an ISO date-time in the future', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(validateExpiry(null, now, 'f')).toBeNull();
    expect(validateExpiry('2026-07-01T00:00:00Z', now, 'f')).toEqual(new Date('2026-07-01T00:00:00Z'));
    expect(() => validateExpiry('2026-05-01T00:00:00Z', now, 'f')).toThrow(/in the future/);
    expect(() => validateExpiry('tomorrow', now, 'f')).toThrow(/not a date-time/);
  });
});
