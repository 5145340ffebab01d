import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DatabaseConnection, Dialect, Driver } from 'kysely';

export { SpanKind } from '@opentelemetry/api';

/**
 * Tracing is off until startTracing: then the helpers below are plain calls (no span, no
 * context switch) and the OpenTelemetry SDK is not even loaded.
 */
let enabled = false;

/** True once startTracing has registered a tracer provider. */
export function tracingEnabled(): boolean {
  return enabled;
}

const tracer = () => trace.getTracer('leave-graph');

/** A running tracer provider. */
export interface Tracing {
  /** Exports the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of the spans. */
  readonly serviceName: string;
  /** Where spans go, each as it ends (tests: an InMemorySpanExporter); default the OTLP/HTTP exporter, batched. */
  readonly exporter?: SpanExporter | undefined;
}

/**
 * Registers a global tracer provider (AsyncLocalStorage context, W3C `traceparent` and
 * `baggage` propagation) and turns the span helpers on. Call it before opening databases (so
 * their statements are traced) and before starting servers.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const sdk = await import('./tracing-sdk.ts');
  const provider = sdk.registerTracerProvider(options);
  enabled = true;
  return {
    async shutdown() {
      enabled = false;
      await provider.shutdown();
    },
  };
}

/**
 * Tracing from the environment: on when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, exporting over OTLP/HTTP; otherwise null and nothing is loaded.
 * OTEL_SERVICE_NAME overrides the service name.
 */
export async function startTracingFromEnv(env: NodeJS.ProcessEnv, serviceName: string): Promise<Tracing | null> {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return null;
  return startTracing({ serviceName: env['OTEL_SERVICE_NAME'] || serviceName });
}

/**
 * Runs `fn` in a new active span (`parent` or the current context), ended when `fn` settles;
 * a thrown error marks it failed. Without tracing, runs `fn(undefined)`.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** The context a request's `traceparent` header names (the root context when it has none or tracing is off). */
export function contextFromHeaders(headers: { readonly [name: string]: string | string[] | undefined }): Context {
  if (!enabled) return context.active();
  return propagation.extract(context.active(), headers);
}

/** Adds `traceparent` (and `tracestate`) of the active span to `headers`; returns them. Nothing without tracing. */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  if (enabled) propagation.inject(context.active(), headers);
  return headers;
}

/** The trace id of `span`, or undefined. */
export function traceIdOf(span: Span | undefined): string | undefined {
  return span?.spanContext().traceId;
}

/** The first word of a statement (`select`, `insert`, `with`...), for span names. */
function statementKind(text: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(text);
  return match?.[1]?.toLowerCase() ?? 'query';
}

/**
 * A Kysely dialect whose every statement runs in a client span (`<db> <statement kind>`,
 * with `db.system.name` and the parameterized `db.query.text`: values are never recorded)
 * when a span is active. Used only when tracing is on when the database opens.
 */
export function tracedDialect(dialect: Dialect, system: 'postgresql' | 'pglite'): Dialect {
  const traced = new WeakSet<DatabaseConnection>();
  const instrument = (connection: DatabaseConnection): DatabaseConnection => {
    if (traced.has(connection)) return connection;
    traced.add(connection);
    const execute = connection.executeQuery.bind(connection);
    // The instance's own method shadows its prototype's: the driver gets the same object back.
    // Only statements of a traced operation: background work (outbox polling every few seconds) would be a trace per statement.
    connection.executeQuery = (query) =>
      trace.getSpan(context.active()) === undefined
        ? execute(query)
        : inSpan(`${system === 'pglite' ? 'pglite' : 'pg'} ${statementKind(query.sql)}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': system === 'pglite' ? 'postgresql' : system, 'db.query.text': query.sql } }, () => execute(query));
    return connection;
  };
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: (): Driver => {
      const driver = dialect.createDriver();
      const acquire = driver.acquireConnection.bind(driver);
      driver.acquireConnection = async () => instrument(await acquire());
      return driver;
    },
  };
}
