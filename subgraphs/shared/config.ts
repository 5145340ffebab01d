import crypto from 'node:crypto';
import path from 'node:path';
import { DEFAULT_STATEMENT_TIMEOUT_MS, type DatabaseConfig } from './database.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A configuration problem, reported at start-up with the variable's name. */
export class ConfigError extends Error {}

/** Shortest accepted IDENTITY_SECRET. */
export const MIN_SECRET_LENGTH = 32;

/** Directory for local data (PGlite, the demo key): DATA_DIR, default `.data` in the working directory. */
export function dataDir(env: Env): string {
  return path.resolve(env['DATA_DIR'] ?? '.data');
}

/** DATABASE_URL (PostgreSQL) when set, else PGlite in `<DATA_DIR>/pglite`. */
export function readDatabaseConfig(env: Env): DatabaseConfig {
  const url = env['DATABASE_URL']?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
    return { url, maxConnections: intVar(env, 'DATABASE_POOL_SIZE', 10, 1, 1000), statementTimeoutMs: intVar(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 0, 3_600_000) };
  }
  return { dataDir: path.join(dataDir(env), 'pglite') };
}

/**
 * IDENTITY_SECRET, the HMAC key shared by the gateway and the subgraphs. Required for
 * separately started services; the all-in-one `npm start` generates one per run when unset.
 */
export function identitySecret(env: Env, required: boolean): string {
  const secret = env['IDENTITY_SECRET'];
  if (secret === undefined || secret === '') {
    if (required) throw new ConfigError(`IDENTITY_SECRET is required (at least ${MIN_SECRET_LENGTH} characters, the same for the gateway and every subgraph)`);
    return crypto.randomBytes(32).toString('hex');
  }
  if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError(`IDENTITY_SECRET must have at least ${MIN_SECRET_LENGTH} characters`);
  return secret;
}

/** An integer variable within [min, max], or its default when unset. */
export function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

/** A boolean variable (true/1 or false/0, any case), or its default when unset. */
export function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

/** HOST: the interface servers bind to; default 127.0.0.1 (use 0.0.0.0 in containers). */
export function host(env: Env): string {
  return env['HOST'] ?? '127.0.0.1';
}

/** The default port of each service when started alone. */
export const DEFAULT_PORTS = { gateway: 4000, people: 4001, leave: 4002, time: 4003, boarding: 4004, webhooks: 4005 } as const;
