import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type LogConfig, type Migration } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { serviceLogger } from './logger.ts';
import { tracedDialect, tracingEnabled } from './tracing.ts';

/** Where the data lives: PostgreSQL when `url` is set, otherwise PGlite in `dataDir`. */
export interface DatabaseConfig {
  /** A PostgreSQL connection string (`DATABASE_URL`). Takes precedence over `dataDir`. */
  url?: string | undefined;
  /** PGlite data directory; created if missing. Omit both for an in-memory PGlite. */
  dataDir?: string | undefined;
  /** A PGlite data-directory dump (from `dumpDataDir`) to start from; tests clone templates this way. */
  loadDataDir?: Blob | undefined;
  /** Pool size for PostgreSQL; default 10. */
  maxConnections?: number | undefined;
  /**
   * Longest any statement may run on PostgreSQL, ms (`statement_timeout` of every pooled
   * connection); 0 disables it. Default DEFAULT_STATEMENT_TIMEOUT_MS. PGlite runs one
   * statement at a time in-process and has no timer to cancel one: there the input limits
   * (search length, list sizes, page sizes, date ranges) are what bounds a statement.
   */
  statementTimeoutMs?: number | undefined;
  /** Called with the SQL of every statement executed (tests count statements with it). */
  onQuery?: ((sql: string) => void) | undefined;
}

/** An open database shared by every service of the process. */
export interface DatabaseHandle {
  readonly kind: 'postgres' | 'pglite';
  /** Unqualified Kysely; subgraphs use `schemaDb(handle, schema)` instead. */
  readonly root: Kysely<unknown>;
  /** The PGlite instance, for LISTEN and dumps; undefined on PostgreSQL. */
  readonly pglite: PGlite | undefined;
  /** The PostgreSQL connection string; undefined on PGlite. */
  readonly url: string | undefined;
  /** Connections of the PostgreSQL pool (for metrics); undefined on PGlite. */
  readonly poolStats?: (() => { total: number; idle: number; waiting: number }) | undefined;
  close(): Promise<void>;
}

/** Default `statement_timeout` on PostgreSQL: 10 s, far beyond any statement of a bounded request. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

// Dates stay 'YYYY-MM-DD' strings and numerics stay decimal strings: no time-zone
// shifts and no float rounding on days and hours.
const DATE_OID = 1082;
const NUMERIC_OID = 1700;
const INT8_OID = 20;
const NUMERIC_ARRAY_OID = 1231;
const DATE_ARRAY_OID = 1182;
const TEXT_ARRAY_OID = 1009;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID || oid === NUMERIC_OID) return (value: string) => value;
    // Arrays of numerics and dates parse like text arrays: elements stay strings.
    if (oid === NUMERIC_ARRAY_OID || oid === DATE_ARRAY_OID) return pg.types.getTypeParser(TEXT_ARRAY_OID as never, 'text');
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as unknown as pg.CustomTypesConfig;

/**
 * Opens PostgreSQL through a `pg` pool when `config.url` is set, otherwise an embedded
 * PGlite (one serialized session: every Kysely derived from `root` queues on it, so a
 * transaction of one subgraph never interleaves with another's statements).
 */
export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  const onQuery = config.onQuery;
  const log: LogConfig | undefined = onQuery
    ? (event) => {
        if (event.level === 'query') onQuery(event.query.sql);
      }
    : undefined;
  if (config.url) {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.maxConnections ?? 10,
      types: pgTypes,
      // A statement past it is cancelled by the server (SQLSTATE 57014): one caller cannot hold a connection for long.
      statement_timeout: config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    // An idle connection the server ends (restart, failover, a dropped test database) must not
    // crash the process: the pool discards it and opens another on demand.
    pool.on('error', (error) => serviceLogger('database').warn({ reason: error.message }, 'idle connection lost'));
    const dialect = new PostgresDialect({ pool });
    // Statements are traced only when tracing was on as the database opened: no cost otherwise.
    const root = new Kysely<unknown>({ dialect: tracingEnabled() ? tracedDialect(dialect, 'postgresql') : dialect, ...(log ? { log } : {}) });
    await sql`select 1`.execute(root);
    const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    return { kind: 'postgres', root, pglite: undefined, url: config.url, poolStats, close: () => root.destroy() };
  }
  if (config.dataDir) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    // Seconds on a first start: say so, so that a slow start is not silent.
    serviceLogger('database').info({ dataDir: config.dataDir }, 'opening the embedded PGlite database');
  }
  const pglite = await PGlite.create({
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}),
    parsers: {
      [DATE_OID]: (value: string) => value,
      [NUMERIC_OID]: (value: string) => value,
      [INT8_OID]: (value: string) => Number(value),
    },
  });
  const dialect = new PGliteDialect(pglite);
  const root = new Kysely<unknown>({ dialect: tracingEnabled() ? tracedDialect(dialect, 'pglite') : dialect, ...(log ? { log } : {}) });
  return { kind: 'pglite', root, pglite, url: undefined, close: () => root.destroy() };
}

/** A Kysely whose unqualified table names resolve in `schema` (the subgraph's own). */
export function schemaDb<DB>(handle: DatabaseHandle, schema: string): Kysely<DB> {
  return handle.root.withSchema(schema) as unknown as Kysely<DB>;
}

/**
 * Wraps migrations so raw SQL in them (indexes, constraints) resolves unqualified names in
 * `schema`: Kysely runs each batch in a transaction on PostgreSQL, so `set local` is scoped.
 */
function withSearchPath(schema: string, migrations: Record<string, Migration>): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrations).map(([name, migration]) => [
      name,
      {
        async up(db: Kysely<unknown>) {
          await sql`select set_config('search_path', ${schema}, true)`.execute(db);
          await migration.up(db);
        },
      },
    ]),
  );
}

/**
 * Creates `schema` if missing and applies its migrations in name order with Kysely's
 * Migrator (history table inside the schema). Throws with the failing migration's name.
 */
export async function migrateSchema(
  handle: DatabaseHandle,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(handle.root);
  const migrator = new Migrator({
    db: schemaDb(handle, schema),
    migrationTableSchema: schema,
    provider: { getMigrations: async () => withSearchPath(schema, migrations) },
  });
  const progress = serviceLogger('migrations');
  const started = Date.now();
  progress.info({ schema }, `migrating ${schema}`);
  const { error, results } = await migrator.migrateToLatest();
  const applied = results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
  if (!error) progress.info({ schema, applied: applied.length, durationMs: Date.now() - started }, applied.length > 0 ? `migrated ${schema}: ${applied.length} applied` : `${schema} is up to date`);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${schema}/${failed} failed: ${String(error)}`, { cause: error });
  }
}
