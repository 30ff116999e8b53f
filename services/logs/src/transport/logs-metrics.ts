import { Counter, Histogram, LATENCY_BUCKETS, type Registry } from '@fluxi/common';

/** The logs service's metrics: what its consumer writes to the log store. */
export class LogsMetrics {
  readonly linesIngested: Counter;
  readonly insertDuration: Histogram;

  constructor(registry: Registry) {
    this.linesIngested = new Counter({
      name: 'fluxi_log_lines_ingested_total',
      help: 'Job log lines written to the log store (ClickHouse or chDB).',
      registers: [registry],
    });
    this.insertDuration = new Histogram({
      name: 'fluxi_log_insert_duration_seconds',
      help: 'Duration of one batch insert of log lines into the log store.',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  }
}
