import type { Logger } from '@fluxi/common';
import { idGenerator } from './ids.js';
import { exportWarnings, type Exporter } from './export-warnings.js';

/** `telemetry` of the config (see @fluxi/common config/telemetry-schema.ts). */
export interface TelemetryOptions {
  readonly tracesEnabled: boolean;
  readonly otlpEndpoint?: string | undefined;
  readonly sampleRatio: number;
  readonly serviceNamePrefix: string;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Exports what is still buffered (bounded) and unregisters nothing: the process is ending. */
  shutdown(): Promise<void>;
}

/** Longest wait for one export; a collector that does not answer costs this, not a hung stop. */
const EXPORT_TIMEOUT_MS = 3000;

let enabled = false;

/** Whether this process exports traces (startTelemetry ran with tracesEnabled). */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Starts OpenTelemetry for this process (once, before its services start): the Node SDK
 * with W3C trace context propagation, a `ParentBased(TraceIdRatioBased(sampleRatio))`
 * sampler and an OTLP/HTTP exporter (JSON) to `<otlpEndpoint>/v1/traces`. Off (the default):
 * nothing is loaded or registered, and the OTel API stays the no-op one.
 * `service` names the process (`all`, `executor`, …): service.name is `<prefix>` for `all`,
 * `<prefix>-<service>` for the others.
 */
export async function startTelemetry(options: TelemetryOptions, service: string, logger: Logger): Promise<Telemetry> {
  if (!options.tracesEnabled) return { enabled: false, shutdown: async () => undefined };
  // Loaded only when tracing is on: a process without it pays nothing for the SDK.
  const { NodeSDK, tracing, core } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const url = options.otlpEndpoint === undefined ? undefined : `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  // No url: the exporter reads the standard OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else localhost:4318.
  const exporter: Exporter = new OTLPTraceExporter({
    ...(url === undefined ? {} : { url }),
    timeoutMillis: EXPORT_TIMEOUT_MS,
  });
  const serviceName = service === 'all' ? options.serviceNamePrefix : `${options.serviceNamePrefix}-${service}`;
  const sdk = new NodeSDK({
    serviceName,
    sampler: new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [
      new tracing.BatchSpanProcessor(exportWarnings(exporter, logger, url ?? 'the OTEL_EXPORTER_OTLP endpoint')),
    ],
    textMapPropagator: new core.W3CTraceContextPropagator(),
    idGenerator,
    // Traces only: no metric readers or log processors from OTEL_* variables.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  enabled = true;
  logger.info(
    { serviceName, endpoint: url ?? 'OTEL_EXPORTER_OTLP_ENDPOINT', sampleRatio: options.sampleRatio },
    'tracing on',
  );
  return {
    enabled: true,
    shutdown: async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        sdk.shutdown().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, EXPORT_TIMEOUT_MS + 500))),
      ]);
      clearTimeout(timer);
    },
  };
}
