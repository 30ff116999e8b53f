import { Gauge, type Registry } from '@fluxi/common';
import type { StatsStore } from '../../store/stats-store.js';

/** The catalog's metrics: its definitions, counted when scraped. */
export function registerCatalogMetrics(registry: Registry, stats: StatsStore): void {
  new Gauge({
    name: 'fluxi_catalog_definitions',
    help: 'Definitions the catalog holds, by kind (job, pipeline, schedule, enabled_schedule).',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const counts = await stats.counts();
      this.set({ kind: 'job' }, counts.jobs);
      this.set({ kind: 'pipeline' }, counts.pipelines);
      this.set({ kind: 'schedule' }, counts.schedules);
      this.set({ kind: 'enabled_schedule' }, counts.schedulesEnabled);
    },
  });
}
