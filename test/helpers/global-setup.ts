import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../subgraphs/shared/database.ts';
import { migrateAll } from './migrate-all.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: path of a dump of the migrated template data directory. */
    pgliteTemplate: string;
    /** PostgreSQL: name of the migrated template database ('' on PGlite). */
    postgresTemplate: string;
  }
}

/** Admin connection string: TEST_DATABASE_URL pointed at its maintenance database. */
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/**
 * Builds one migrated template per test run, so each suite gets a fresh database in well
 * under a second: a PGlite data-directory dump, or (with TEST_DATABASE_URL) a PostgreSQL
 * template database that suites copy with CREATE DATABASE ... TEMPLATE.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env['TEST_DATABASE_URL'];
  if (url) {
    const name = `leave_graph_tpl_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = await openDatabase({ url: target.toString(), maxConnections: 1 });
    await migrateAll(handle);
    await handle.close();
    project.provide('postgresTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      // Suites drop their own databases; leftovers of crashed runs are swept here too.
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like 'leave_graph_%${process.pid}%'`,
      );
      for (const row of rows) await admin.query(`drop database if exists "${row.datname}" with (force)`);
      await admin.end();
    };
  }
  const handle = await openDatabase({});
  await migrateAll(handle);
  const dump = await handle.pglite!.dumpDataDir('none');
  await handle.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leave-graph-'));
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('postgresTemplate', '');
  return async () => fs.rmSync(dir, { recursive: true, force: true });
}
