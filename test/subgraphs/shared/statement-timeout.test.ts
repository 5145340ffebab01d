import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { readDatabaseConfig } from '../../../subgraphs/shared/config.ts';
import { DEFAULT_STATEMENT_TIMEOUT_MS, openDatabase } from '../../../subgraphs/shared/database.ts';

describe('statement timeout', () => {
  it('should read DATABASE_STATEMENT_TIMEOUT_MS, default 10 s, for PostgreSQL', () => {
    expect(readDatabaseConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db' }).statementTimeoutMs).toBe(DEFAULT_STATEMENT_TIMEOUT_MS);
    expect(readDatabaseConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db', DATABASE_STATEMENT_TIMEOUT_MS: '250' }).statementTimeoutMs).toBe(250);
  });

  // Against the suite's PostgreSQL when there is one (TEST_DATABASE_URL); on PGlite there is no server-side timer.
  it('should cancel a statement that runs past the timeout on PostgreSQL', async () => {
    const url = process.env['TEST_DATABASE_URL'];
    if (!url) {
      expect(readDatabaseConfig({}).statementTimeoutMs).toBeUndefined();
      return;
    }
    const handle = await openDatabase({ url, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(sql`select pg_sleep(5)`.execute(handle.root)).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(sql`select 1 as one`.execute(handle.root)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      await handle.close();
    }
  });
});
