import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Express middleware (mount it after the body parser, whose stream events would lose the
 * context): a SERVER span per request, child of the caller's W3C `traceparent` header
 * when it sends one, active for the handlers after it.
 */
export function traceHttpRequests(
  scope: string,
): (req: IncomingMessage & { baseUrl?: string }, res: ServerResponse, next: () => void) => void {
  const tracer = trace.getTracer(scope);
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const route = req.baseUrl !== undefined && req.baseUrl !== '' ? req.baseUrl : (req.url ?? '/').split('?')[0];
    const span = tracer.startSpan(
      `${req.method ?? 'GET'} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'GET', 'http.route': route } },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Writes the active span's W3C trace context into outgoing headers (fetch `Headers`, or a plain record). */
export function injectTraceHeaders(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, {
    set: (carrier, key, value) => carrier.set(key, value),
  });
}
