import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../subgraphs/shared/database.ts';
import { adminUrl } from './global-setup.ts';
import { migrateAll } from './migrate-all.ts';

/** A fresh, migrated database of the suite's own; `close()` drops it (PostgreSQL) or discards it (PGlite). */
export interface TestDatabase {
  readonly handle: DatabaseHandle;
  /** The PostgreSQL database's URL (for a benchmark's other processes); absent on PGlite. */
  readonly url?: string;
  close(): Promise<void>;
}

/** Clones the run's template: a PGlite loaded from the dump, or a PostgreSQL database copied from the template. */
export async function createTestDatabase(options: { onQuery?: (sql: string) => void } = {}): Promise<TestDatabase> {
  const url = process.env['TEST_DATABASE_URL'];
  const template = process.env['VITEST'] ? inject('postgresTemplate') : '';
  if (url && template) {
    const name = `leave_graph_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    // The template must have no other connection while it is copied; retry briefly if another suite is copying.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${template}"`);
        break;
      } catch (error) {
        if (attempt >= 50 || !String(error).includes('is being accessed by other users')) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = await openDatabase({ url: target.toString(), onQuery: options.onQuery });
    return {
      handle,
      async close() {
        await handle.close();
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  if (url && !process.env['VITEST']) {
    // Outside Vitest (benchmarks) with PostgreSQL: a fresh database of its own, migrated, dropped on close.
    const name = `leave_graph_bench_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = await openDatabase({ url: target.toString(), onQuery: options.onQuery });
    await migrateAll(handle);
    return {
      handle,
      url: target.toString(),
      async close() {
        await handle.close();
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  if (!process.env['VITEST']) {
    // Outside Vitest (benchmarks): no template was built; migrate a fresh in-memory PGlite.
    const handle = await openDatabase({ onQuery: options.onQuery });
    await migrateAll(handle);
    return { handle, close: () => handle.close() };
  }
  const dump = fs.readFileSync(inject('pgliteTemplate'));
  const handle = await openDatabase({ loadDataDir: new Blob([dump]), onQuery: options.onQuery });
  return { handle, close: () => handle.close() };
}
