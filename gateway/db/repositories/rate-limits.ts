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
  /** Requests in the organization's window, including this one when counted. */
  count: number;
  /** Requests in the key's window, including this one when counted; null without a key window. */
  key_count: number | null;
  /** Whether the request was counted (in every window). */
  counted: boolean;
  /** Points left after the admission (decimal string). */
  available: string;
  /** Points charged (decimal string); null when not charged. */
  charged: string | null;
}

/** The windows of one request: the organization's and, for a key with its own limit, the key's. */
export interface RequestWindowsInput {
  readonly subject: string;
  readonly limit: number;
  readonly key?: { readonly subject: string; readonly limit: number } | undefined;
}

/**
 * Counts a request in its organization's window `(requests.subject, windowStart)` and, for a
 * key with its own limit, in the key's count kept in that same row, unless either is full
 * (then in neither), and, only when counted, charges `cost` to `budgetSubject`'s bucket if
 * the bucket (refilled to `now`) holds it. One statement: the window upsert locks the
 * organization's row and decides on its latest committed version (both counts are in it, so
 * no other admission of the organization can slip between the check and the increment), then
 * the bucket upsert locks the bucket's row. A refused request still writes the row (its
 * `last_counted`, nothing else), so that the statement returns the counts that refused it.
 */
export async function admitRequest(
  db: GatewayDb,
  input: {
    requests: RequestWindowsInput;
    windowStart: Date;
    budgetSubject: string;
    cost: number;
    bucket: BucketShape;
    now: Date;
  },
): Promise<AdmissionRow> {
  const { requests, windowStart, budgetSubject, cost, bucket, now } = input;
  const level = refilled(bucket, now);
  const keySubject = requests.key?.subject ?? null;
  const keyLimit = requests.key?.limit ?? null;
  const keyCount = sql`coalesce((w.key_counts ->> ${keySubject}::text)::int, 0)`;
  // Decided on the row's values before this admission (UPDATE SET reads the old row).
  const room = sql`(w.count < ${requests.limit}::int and (${keySubject}::text is null or ${keyCount} < ${keyLimit}::int))`;
  // `excluded.last_charge` carries the charge asked for (null: none, the request was not counted or
  // the cost exceeds the maximum); `asked` reads `counted`, so the window's upsert, and its lock,
  // come before the bucket's.
  const result = await sql<AdmissionRow>`
    with fresh as (
      select ${requests.limit}::int >= 1 and (${keySubject}::text is null or ${keyLimit}::int >= 1) as counted
    ),
    counted as (
      insert into ${windows} as w (subject, window_start, count, key_counts, last_counted)
      select ${requests.subject}::text, ${windowStart}::timestamptz, fresh.counted::int,
        case when ${keySubject}::text is null then '{}'::jsonb else jsonb_build_object(${keySubject}::text, fresh.counted::int) end,
        fresh.counted
      from fresh
      on conflict (subject, window_start) do update set
        count = w.count + case when ${room} then 1 else 0 end,
        key_counts = case when ${keySubject}::text is not null and ${room}
          then jsonb_set(w.key_counts, array[${keySubject}::text], to_jsonb(${keyCount} + 1))
          else w.key_counts end,
        last_counted = ${room}
      returning w.count, case when ${keySubject}::text is null then null else coalesce((w.key_counts ->> ${keySubject}::text)::int, 0) end as key_count, w.last_counted as counted
    ),
    asked as (
      select case when counted.counted and ${cost}::numeric <= ${bucket.maximum}::numeric then ${cost}::numeric end as charge
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
    select counted.count, counted.key_count, counted.counted, charged.available, charged.last_charge as charged
    from counted, charged`.execute(db);
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

/** Requests counted in a request's windows at `windowStart`, without writing; 0 where none. */
export async function countRequests(db: GatewayDb, requests: RequestWindowsInput, windowStart: Date): Promise<{ count: number; keyCount: number | null }> {
  const row = await db
    .selectFrom('request_windows')
    .select(['count', 'key_counts'])
    .where('subject', '=', requests.subject)
    .where('window_start', '=', windowStart)
    .executeTakeFirst();
  const keyCount = requests.key ? Number(row?.key_counts[requests.key.subject] ?? 0) : null;
  return { count: row ? Number(row.count) : 0, keyCount };
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

/** One window's increments of a batch: the organization's and its keys' (by key subject). */
export interface WindowIncrement {
  readonly subject: string;
  /** Epoch ms. */
  readonly windowStart: number;
  readonly count: number;
  readonly keys: Readonly<Record<string, number>>;
}

/** One bucket's change of a batch: `delta` points (negative: spent) applied at `at` (epoch ms). */
export interface BucketDelta {
  readonly subject: string;
  readonly delta: number;
  readonly at: number;
}

/** What the database holds after a batch, for every window and bucket in it. */
export interface FlushedRateLimits {
  readonly windows: { subject: string; windowStart: number; count: number; keyCounts: Record<string, number> }[];
  /** `refilledAt` epoch ms; `available` exact points. */
  readonly buckets: { subject: string; available: number; refilledAt: number }[];
}

/**
 * Applies a batch of increments and bucket changes from one gateway instance, for any number
 * of windows and buckets, in one statement, and returns their totals after it (which include
 * every other instance's flushed counts). A window row gains `count` and each key's count; a
 * bucket is refilled to `at` and changed by `delta`, kept within [0, maximum]. Increments of 0
 * read a row (creating it empty or full).
 */
export async function flushRateLimits(
  db: GatewayDb,
  batch: { windows: readonly WindowIncrement[]; buckets: readonly BucketDelta[]; bucket: BucketShape },
): Promise<FlushedRateLimits> {
  const windowsIn = JSON.stringify(batch.windows.map((w) => ({ subject: w.subject, window_start: new Date(w.windowStart).toISOString(), n: w.count, keys: w.keys })));
  const bucketsIn = JSON.stringify(batch.buckets.map((b) => ({ subject: b.subject, delta: b.delta, at: new Date(b.at).toISOString() })));
  const maximum = sql`${batch.bucket.maximum}::numeric`;
  const rate = sql`${batch.bucket.restorePerSecond}::numeric`;
  // `excluded.last_charge` carries the delta into the update; the row keeps null there.
  const result = await sql<{ kind: 'w' | 'b'; subject: string; at: number; count: number | null; key_counts: Record<string, number> | null; available: string | null }>`
    with windows_in as (
      select * from jsonb_to_recordset(${windowsIn}::jsonb) as x(subject text, window_start timestamptz, n int, keys jsonb)
    ),
    w as (
      insert into ${windows} as w (subject, window_start, count, key_counts, last_counted)
      select subject, window_start, n, keys, n > 0 from windows_in
      on conflict (subject, window_start) do update set
        count = w.count + excluded.count,
        key_counts = w.key_counts || coalesce(
          (select jsonb_object_agg(k.key, coalesce((w.key_counts ->> k.key)::int, 0) + k.value::int) from jsonb_each_text(excluded.key_counts) as k),
          '{}'::jsonb),
        last_counted = excluded.count > 0
      returning w.subject, w.window_start, w.count, w.key_counts
    ),
    buckets_in as (
      select * from jsonb_to_recordset(${bucketsIn}::jsonb) as x(subject text, delta numeric, at timestamptz)
    ),
    b as (
      insert into ${budgets} as b (subject, available, refilled_at, last_charge)
      select subject, greatest(0::numeric, least(${maximum}, ${maximum} + delta)), at, delta from buckets_in
      on conflict (subject) do update set
        available = greatest(0::numeric, least(${maximum},
          least(${maximum}, b.available + greatest(0, extract(epoch from excluded.refilled_at - b.refilled_at)) * ${rate}) + excluded.last_charge)),
        last_charge = null,
        refilled_at = greatest(b.refilled_at, excluded.refilled_at)
      returning b.subject, b.available, b.refilled_at
    )
    select 'w' as kind, subject, (extract(epoch from window_start) * 1000)::float8 as at, count, key_counts, null::numeric as available from w
    union all
    select 'b' as kind, subject, (extract(epoch from refilled_at) * 1000)::float8 as at, null, null, available from b`.execute(db);
  const flushed: FlushedRateLimits = { windows: [], buckets: [] };
  for (const row of result.rows) {
    if (row.kind === 'w') flushed.windows.push({ subject: row.subject, windowStart: Number(row.at), count: Number(row.count), keyCounts: row.key_counts ?? {} });
    else flushed.buckets.push({ subject: row.subject, available: Number(row.available), refilledAt: Number(row.at) });
  }
  return flushed;
}
