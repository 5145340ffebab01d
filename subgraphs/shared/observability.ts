import type { DatabaseHandle } from './database.ts';
import { serviceLogger } from './logger.ts';
import { readMetricsConfig, startMetricsServer, trackDatabase } from './metrics.ts';
import { startTracingFromEnv } from './tracing.ts';

/** A process's metrics listener and tracing, as its `main.ts` starts them. */
export interface Observability {
  /** Where Prometheus scrapes (`…/metrics`); null when METRICS_PORT=off. */
  readonly metricsUrl: string | null;
  /** Reports `database`'s pool use and outbox lag on the metrics listener. */
  track(database: DatabaseHandle): void;
  /** Closes the metrics listener and flushes the spans still buffered. */
  stop(): Promise<void>;
}

/**
 * Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set (first, so that the databases and
 * servers opened after it are traced) and the metrics listener (readMetricsConfig).
 */
export async function startObservability(service: string, env: NodeJS.ProcessEnv, defaultMetricsPort: number): Promise<Observability> {
  const log = serviceLogger(service);
  const tracing = await startTracingFromEnv(env, service);
  if (tracing) log.info({ endpoint: env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] }, 'tracing on: exporting spans over OTLP/HTTP');
  const config = readMetricsConfig(env, service, defaultMetricsPort);
  const metrics = config ? await startMetricsServer(config) : null;
  if (metrics) log.info({ url: `${metrics.url}/metrics` }, 'metrics listening');
  const untrack: (() => void)[] = [];
  return {
    metricsUrl: metrics ? `${metrics.url}/metrics` : null,
    track(database) {
      untrack.push(trackDatabase(database));
    },
    async stop() {
      for (const remove of untrack) remove();
      await metrics?.stop();
      await tracing?.shutdown();
    },
  };
}
