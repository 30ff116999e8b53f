import { describe, expect, it } from 'vitest';
import { safeArguments, targetOf } from './audit-details.js';

describe('audit details', () => {
  it('keeps ids, names and flags, never passwords, values, env or commands', () => {
    const args = {
      id: 'U1',
      input: { name: 'deploy', password: 'hunter2hunter2', value: 's3cr3t', role: 'writer', env: [{ value: 'x' }] },
      key: 'fluxi_K1_secret',
    };
    expect(safeArguments(args)).toEqual({ id: 'U1', 'input.name': 'deploy', 'input.role': 'writer' });
    expect(JSON.stringify(safeArguments({ input: { command: 'echo $TOKEN', value: 'v' } }))).toBe('{}');
  });

  it("keeps a notification subscription's name, flags and ids, never its secret or URL", () => {
    const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';
    const create = {
      input: {
        name: 'ops',
        url: 'https://hooks.example.com/services/T0/B0/token?key=url-secret',
        events: ['PIPELINE_RUN_FAILED'],
        format: 'SLACK',
        secret,
        enabled: true,
      },
    };
    expect(safeArguments(create)).toEqual({ 'input.name': 'ops', 'input.format': 'SLACK', 'input.enabled': true });
    expect(JSON.stringify(safeArguments({ id: 'NS1', input: { url: create.input.url, secret } }))).toBe('{"id":"NS1"}');
    expect(safeArguments({ id: 'NS1', enabled: false })).toEqual({ id: 'NS1', enabled: false });
    expect(safeArguments({ deliveryId: 'ND1' })).toEqual({ deliveryId: 'ND1' });
    expect(targetOf({ deliveryId: 'ND1' })).toBe('ND1');
    expect(targetOf(create)).toBe('ops');
  });

  it('cuts long text', () => {
    expect(String(safeArguments({ name: 'x'.repeat(500) })['name'])).toHaveLength(201);
  });

  it('names the target: the id, else the input id or name', () => {
    expect(targetOf({ id: 'J1', input: { name: 'n' } })).toBe('J1');
    expect(targetOf({ input: { userId: 'U2', name: 'laptop' } })).toBe('U2');
    expect(targetOf({ input: { name: 'build' } })).toBe('build');
    expect(targetOf({ level: 'DEBUG' })).toBeUndefined();
  });
});
