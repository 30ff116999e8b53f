import { z } from 'zod';

/**
 * `telemetry`: OpenTelemetry traces (one trace per pipeline run, across the services and
 * into the job's process via TRACEPARENT). Off by default; with it on and no collector
 * listening, spans are dropped and the failure is logged once.
 */
export const telemetrySchema = z
  .object({
    /** Export traces (env FLUXI_TELEMETRY__TRACES_ENABLED). */
    tracesEnabled: z.boolean().default(false),
    /**
     * OTLP/HTTP base URL of the collector, e.g. http://otel-collector:4318 (spans go to
     * `<url>/v1/traces`). Unset: the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
     * OTEL_EXPORTER_OTLP_ENDPOINT variables, else http://localhost:4318.
     */
    otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Share of new traces kept (0 to 1); a trace that started elsewhere follows its caller's decision. */
    sampleRatio: z.number().min(0).max(1).default(1),
    /** service.name of the spans: `<prefix>` for the `all` process, `<prefix>-<target>` for the others. */
    serviceNamePrefix: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-", at most 63')
      .default('fluxi'),
  })
  .strict()
  .prefault({});
