import type { Database } from '@fluxi/db';

/** How many definitions the catalog holds. */
export interface DefinitionCounts {
  jobs: number;
  pipelines: number;
  schedules: number;
  schedulesEnabled: number;
}

/** Counts of the catalog's definitions (the stats query, the `fluxi_catalog_*` gauges). */
export class StatsStore {
  constructor(private readonly db: Database) {}

  async counts(): Promise<DefinitionCounts> {
    const [row] = await this.db.query<{ jobs: number; pipelines: number; schedules: number; enabled: number }>(
      `SELECT (SELECT count(*) FROM jobs)::int AS jobs,
              (SELECT count(*) FROM pipelines)::int AS pipelines,
              (SELECT count(*) FROM schedules)::int AS schedules,
              (SELECT count(*) FROM schedules WHERE enabled)::int AS enabled`,
    );
    return {
      jobs: row?.jobs ?? 0,
      pipelines: row?.pipelines ?? 0,
      schedules: row?.schedules ?? 0,
      schedulesEnabled: row?.enabled ?? 0,
    };
  }
}
