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
