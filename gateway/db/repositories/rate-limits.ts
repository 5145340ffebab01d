import { sql, type RawBuilder } from 'kysely';
import { GATEWAY_SCHEMA, type GatewayDb } from '../database.ts';

// Raw SQL is not schema-qualified by `withSchema`: name the gateway's tables in full.
const windows = sql.table(`${GATEWAY_SCHEMA}.request_windows`);
const budgets = sql.table(`${GATEWAY_SCHEMA}.cost_budgets`);

/** A leaky bucket's shape: at most `maximum` points, refilled at `restorePerSecond`. */
export interface BucketShape {
  readonly maximum: number;
  readonly restorePerSecond: number;
}

/**
 * The bucket of row `b` at `now`: its stored points plus the refill since `refilled_at`,
 * capped at the maximum. Numeric all through, so the arithmetic is exact; a clock behind
 * the last writer's refills nothing rather than draining.
 */
function refilled(bucket: BucketShape, now: Date): RawBuilder<string> {
  return sql<string>`least(${bucket.maximum}::numeric, b.available + greatest(0, extract(epoch from ${now}::timestamptz - b.refilled_at)) * ${bucket.restorePerSecond}::numeric)`;
}

/** One admission's outcome as the database decided it. */
export interface AdmissionRow {
  /** Requests in the window including this one; null when the limit was already reached (nothing counted). */
  count: number | null;
  /** Points left after the admission (decimal string). */
  available: string;
  /** Points charged (decimal string); null when not charged. */
  charged: string | null;
}

/**
 * Counts a request in `(requestSubject, windowStart)` unless `limit` is reached and, only
 * when counted, charges `cost` to `budgetSubject`'s bucket if the bucket (refilled to `now`)
 * holds it. One statement: both upserts lock their row (the window's first, always) and
 * decide on its latest committed version, so concurrent admissions never overshoot.
 */
export async function admitRequest(
  db: GatewayDb,
  input: {
    requestSubject: string;
    windowStart: Date;
    limit: number;
    budgetSubject: string;
    cost: number;
    bucket: BucketShape;
    now: Date;
  },
): Promise<AdmissionRow> {
  const { requestSubject, windowStart, limit, budgetSubject, cost, bucket, now } = input;
  const level = refilled(bucket, now);
  // `excluded.last_charge` carries the charge asked for (null: none, the request was not counted or
  // the cost exceeds the maximum); the aggregate over `counted` runs that upsert, and so takes
  // the window's lock, before this one takes the bucket's.
  const result = await sql<AdmissionRow>`
    with counted as (
      insert into ${windows} as w (subject, window_start, count)
      select ${requestSubject}::text, ${windowStart}::timestamptz, 1
      where ${limit}::int >= 1
      on conflict (subject, window_start) do update set count = w.count + 1
      where w.count < ${limit}::int
      returning w.count
    ),
    asked as (
      select case when count(*) > 0 and ${cost}::numeric <= ${bucket.maximum}::numeric then ${cost}::numeric end as charge
      from counted
    ),
    charged as (
      insert into ${budgets} as b (subject, available, refilled_at, last_charge)
      select ${budgetSubject}::text, ${bucket.maximum}::numeric - coalesce(asked.charge, 0), ${now}::timestamptz, asked.charge
      from asked
      on conflict (subject) do update set
        available = case when excluded.last_charge <= ${level} then ${level} - excluded.last_charge else ${level} end,
        last_charge = case when excluded.last_charge <= ${level} then excluded.last_charge end,
        refilled_at = greatest(b.refilled_at, ${now}::timestamptz)
      returning b.available, b.last_charge
    )
    select (select count from counted) as count, charged.available, charged.last_charge as charged
    from charged`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('admission returned no row');
  return row;
}

/**
 * Charges `cost` to `subject`'s bucket if the bucket (refilled to `now`) holds it, counting no
 * request (a subscription event's resolution). One upsert; returns the points after it and
 * whether it charged.
 */
export async function spendBudget(
  db: GatewayDb,
  subject: string,
  cost: number,
  bucket: BucketShape,
  now: Date,
): Promise<{ available: string; charged: string | null }> {
  const level = refilled(bucket, now);
  const charge = cost <= bucket.maximum ? cost : null;
  const result = await sql<{ available: string; charged: string | null }>`
    insert into ${budgets} as b (subject, available, refilled_at, last_charge)
    values (${subject}, ${bucket.maximum}::numeric - coalesce(${charge}::numeric, 0), ${now}::timestamptz, ${charge}::numeric)
    on conflict (subject) do update set
      available = case when excluded.last_charge <= ${level} then ${level} - excluded.last_charge else ${level} end,
      last_charge = case when excluded.last_charge <= ${level} then excluded.last_charge end,
      refilled_at = greatest(b.refilled_at, ${now}::timestamptz)
    returning b.available, b.last_charge as charged`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('spend returned no row');
  return row;
}

/** Credits `refund` points to `subject`'s bucket, never above the maximum; returns the points after it. */
export async function creditBudget(db: GatewayDb, subject: string, refund: number, bucket: BucketShape, now: Date): Promise<string> {
  const level = refilled(bucket, now);
  const result = await sql<{ available: string }>`
    insert into ${budgets} as b (subject, available, refilled_at)
    values (${subject}, ${bucket.maximum}::numeric, ${now}::timestamptz)
    on conflict (subject) do update set
      available = least(${bucket.maximum}::numeric, ${level} + ${refund}::numeric),
      refilled_at = greatest(b.refilled_at, ${now}::timestamptz)
    returning b.available`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('credit returned no row');
  return row.available;
}

/** Requests counted in `(subject, windowStart)`, without writing; 0 when none. */
export async function countRequests(db: GatewayDb, subject: string, windowStart: Date): Promise<number> {
  const row = await db
    .selectFrom('request_windows')
    .select('count')
    .where('subject', '=', subject)
    .where('window_start', '=', windowStart)
    .executeTakeFirst();
  return row ? Number(row.count) : 0;
}

/** Points in `subject`'s bucket at `now`, without writing; undefined when it has no row (a full bucket). */
export async function peekBudget(db: GatewayDb, subject: string, bucket: BucketShape, now: Date): Promise<string | undefined> {
  const result = await sql<{ available: string }>`
    select ${refilled(bucket, now)} as available from ${budgets} as b where b.subject = ${subject}`.execute(db);
  return result.rows[0]?.available;
}

/**
 * Deletes request windows that started before `before`, and buckets untouched since `before`
 * that are full at `now` (a missing row reads as a full bucket, so nothing changes). One statement.
 */
export async function pruneRateLimits(
  db: GatewayDb,
  before: Date,
  bucket: BucketShape,
  now: Date,
): Promise<{ windows: number; budgets: number }> {
  const result = await sql<{ windows: number; budgets: number }>`
    with w as (
      delete from ${windows} where window_start < ${before}::timestamptz returning 1
    ),
    b as (
      delete from ${budgets} as b
      where b.refilled_at < ${before}::timestamptz and ${refilled(bucket, now)} >= ${bucket.maximum}::numeric
      returning 1
    )
    select (select count(*) from w)::int as windows, (select count(*) from b)::int as budgets`.execute(db);
  const row = result.rows[0];
  return { windows: row?.windows ?? 0, budgets: row?.budgets ?? 0 };
}
