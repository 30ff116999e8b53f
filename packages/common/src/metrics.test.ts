import { describe, expect, it } from 'vitest';
import { BoundedLabel, Counter, MetricsHub, serviceRegistry } from './metrics.js';

describe('BoundedLabel', () => {
  it('keeps the first values and folds later ones into other', () => {
    const label = new BoundedLabel(2);
    expect([label.value('a'), label.value('b'), label.value('c'), label.value('a'), label.value(undefined)]).toEqual([
      'a',
      'b',
      'other',
      'a',
      'other',
    ]);
  });
});

describe('MetricsHub', () => {
  it('merges services that share a metric name, and what another process hands over', async () => {
    const hub = new MetricsHub();
    const one = serviceRegistry('one', hub);
    serviceRegistry('two', hub);
    new Counter({ name: 'fluxi_test_things_total', help: 'Things.', registers: [one] }).inc(3);
    hub.addRemote('far', async () => {
      const far = serviceRegistry('far');
      new Counter({ name: 'fluxi_far_total', help: 'Far things.', registers: [far] }).inc(2);
      return far.getMetricsAsJSON();
    });
    hub.addRemote('gone', () => Promise.reject(new Error('down')));
    const text = await hub.exposition();
    for (const service of ['one', 'two', 'far'])
      expect(text).toMatch(new RegExp(`fluxi_build_info\\{[^}]*service="${service}"`));
    expect(text).toContain('fluxi_test_things_total{service="one"} 3');
    expect(text).toContain('fluxi_far_total{service="far"} 2');
    expect(text.match(/^# TYPE fluxi_build_info /gm)).toHaveLength(1);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
