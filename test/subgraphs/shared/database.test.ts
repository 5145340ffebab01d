import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe('openDatabase type mapping', () => {
  it('should keep dates, numerics and their arrays as strings, and bigints as numbers, on PGlite and PostgreSQL alike', async () => {
    const { rows } = await sql`select '{8,7.5,0}'::numeric(4,2)[] as hours, 1.50::numeric(4,2) as amount, '2026-01-02'::date as day,
      array['2026-01-02'::date] as days, 5::int8 as count`.execute(database.handle.root);
    expect(rows).toEqual([{ hours: ['8.00', '7.50', '0.00'], amount: '1.50', day: '2026-01-02', days: ['2026-01-02'], count: 5 }]);
  });
});
