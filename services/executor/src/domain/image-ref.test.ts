import { describe, expect, it } from 'vitest';
import { pullReference } from './image-ref.js';

describe('pullReference', () => {
  it('adds :latest only where no tag or digest is named', () => {
    expect(pullReference('busybox')).toBe('busybox:latest');
    expect(pullReference('busybox:1.36')).toBe('busybox:1.36');
    expect(pullReference('registry:5000/team/app')).toBe('registry:5000/team/app:latest');
    expect(pullReference('registry:5000/team/app:2')).toBe('registry:5000/team/app:2');
    expect(pullReference('alpine@sha256:abcd')).toBe('alpine@sha256:abcd');
  });
});
