import type { Logger } from '@fluxi/common';
import type { tracing } from '@opentelemetry/sdk-node';

export type Exporter = tracing.SpanExporter;

/**
 * The exporter, logging its failures once at warn (not one line per batch while no
 * collector listens), and once at info when exports pass again.
 */
export function exportWarnings(inner: Exporter, logger: Logger, endpoint: string): Exporter {
  let failing = false;
  return {
    export(spans, done) {
      inner.export(spans, (result) => {
        if (result.code !== 0 && !failing) {
          failing = true;
          logger.warn(
            { endpoint, err: result.error },
            'could not export traces; spans are dropped, and further failures are not logged until an export passes',
          );
        } else if (result.code === 0 && failing) {
          failing = false;
          logger.info({ endpoint }, 'traces exported again');
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush === undefined ? {} : { forceFlush: () => (inner.forceFlush as () => Promise<void>)() }),
  };
}
