// Loaded only by startTracing (a dynamic import): without an OTLP endpoint the SDK is never loaded.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingOptions } from './tracing.ts';

/**
 * A NodeTracerProvider registered globally (AsyncLocalStorage context manager, W3C trace
 * context and baggage propagators): a given exporter gets each span as it ends; otherwise
 * spans are batched to the OTLP/HTTP exporter, which reads OTEL_EXPORTER_OTLP_* itself.
 */
export function registerTracerProvider(options: TracingOptions): NodeTracerProvider {
  const processor = options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': options.serviceName }), spanProcessors: [processor] });
  provider.register();
  return provider;
}
