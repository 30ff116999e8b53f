import { describe, expect, it } from 'vitest';
import { StopController } from './stop-controller.js';

describe('StopController', () => {
  it('tells listeners once, and the first request wins', () => {
    const stop = new StopController();
    const heard: string[] = [];
    stop.onStop((request) => heard.push(request.kind));
    expect(stop.stop({ kind: 'cancelled', reason: 'by alice' })).toBe(true);
    expect(stop.stop({ kind: 'stopped', reason: 'shutdown' })).toBe(false);
    expect(heard).toEqual(['cancelled']);
    expect(stop.requested).toEqual({ kind: 'cancelled', reason: 'by alice' });
  });

  it('calls a late listener at once, and a removed one never', () => {
    const stop = new StopController();
    const heard: string[] = [];
    const remove = stop.onStop(() => heard.push('removed'));
    remove();
    stop.stop({ kind: 'stopped', reason: 'shutdown' });
    stop.onStop((request) => heard.push(request.reason));
    expect(heard).toEqual(['shutdown']);
  });
});
