import { Redis } from 'ioredis';
import { serviceLogger } from '../../subgraphs/shared/logger.ts';
import { createMemoryRateStore, MILLI } from './memory-rate-store.ts';
import type { BucketShape, RateStore } from './rate-store.ts';

const log = serviceLogger('gateway');

/** Options of `createRedisRateStore`. */
export interface RedisRateStoreOptions {
  /** Prefix of every key; default `leave:rl`. Tests give each store its own. */
  readonly keyPrefix?: string;
  /** Longest a command may wait for a connection before the fallback decides, ms; default 1 000. */
  readonly connectTimeoutMs?: number;
}

const HOUR_MS = 3_600_000;

// Buckets are hashes { milli, at } in thousandths of a point, windows hashes { count, <key subject>: n }.
// Every script refills to the caller's `now` (never Redis's clock) as the memory store does.
const REFILL = `
local function level(key, maximum, rate, now)
  local b = redis.call('HMGET', key, 'milli', 'at')
  if not b[1] then return maximum, now end
  local at = tonumber(b[2])
  return math.min(maximum, tonumber(b[1]) + math.max(0, now - at) * rate), math.max(at, now)
end
local function write(key, milli, at, ttl)
  redis.call('HSET', key, 'milli', string.format('%.17g', milli), 'at', string.format('%.17g', at))
  redis.call('PEXPIRE', key, ttl)
end
`;

/** KEYS: window, bucket. ARGV: limit, key field ('' for none), key limit, cost, maximum, rate, now, window ttl, bucket ttl (thousandths, ms). */
const ADMIT = `${REFILL}
local limit, keyLimit = tonumber(ARGV[1]), tonumber(ARGV[3])
local cost, maximum, rate, now = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local keyCount = -1
if ARGV[2] ~= '' then keyCount = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0') end
local milli, at = level(KEYS[2], maximum, rate, now)
local counted, charged = 0, 0
if count < limit and (keyCount < 0 or keyCount < keyLimit) then
  counted = 1
  count = redis.call('HINCRBY', KEYS[1], 'count', 1)
  if keyCount >= 0 then keyCount = redis.call('HINCRBY', KEYS[1], ARGV[2], 1) end
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  if cost <= maximum and cost <= milli then
    milli = milli - cost
    charged = 1
  end
end
write(KEYS[2], milli, at, ARGV[9])
return { count, keyCount, counted, charged, string.format('%.17g', milli) }
`;

/** KEYS: bucket. ARGV: cost, maximum, rate, now, ttl. */
const SPEND = `${REFILL}
local cost, maximum, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local milli, at = level(KEYS[1], maximum, rate, now)
local charged = 0
if cost <= maximum and cost <= milli then
  milli = milli - cost
  charged = 1
end
write(KEYS[1], milli, at, ARGV[5])
return { charged, string.format('%.17g', milli) }
`;

/** KEYS: bucket. ARGV: refund, maximum, rate, now, ttl. */
const CREDIT = `${REFILL}
local refund, maximum, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local milli, at = level(KEYS[1], maximum, rate, now)
milli = math.min(maximum, milli + refund)
write(KEYS[1], milli, at, ARGV[5])
return string.format('%.17g', milli)
`;

/** KEYS: bucket. ARGV: maximum, rate, now. */
const PEEK = `${REFILL}
local milli = level(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return string.format('%.17g', milli)
`;

/** KEYS: bucket. ARGV: before, maximum, rate, now. Deletes the bucket when untouched since `before` and full at `now`. */
const PRUNE_BUCKET = `${REFILL}
local b = redis.call('HMGET', KEYS[1], 'milli', 'at')
if not b[1] or tonumber(b[2]) >= tonumber(ARGV[1]) then return 0 end
local maximum = tonumber(ARGV[2])
if level(KEYS[1], maximum, tonumber(ARGV[3]), tonumber(ARGV[4])) < maximum then return 0 end
return redis.call('DEL', KEYS[1])
`;

interface RateCommands {
  rlAdmit(window: string, bucket: string, ...args: (string | number)[]): Promise<[number, number, number, number, string]>;
  rlSpend(bucket: string, ...args: (string | number)[]): Promise<[number, string]>;
  rlCredit(bucket: string, ...args: (string | number)[]): Promise<string>;
  rlPeek(bucket: string, ...args: (string | number)[]): Promise<string>;
  rlPruneBucket(bucket: string, ...args: (string | number)[]): Promise<number>;
}

/**
 * A rate store in Redis, shared by every gateway instance on it: each admission, spend and
 * credit is one Lua script, run atomically by Redis, so limits are exact across instances.
 * Windows expire by themselves two hours after they start, and buckets once they would have
 * refilled, so `prune` finds little. Needs a single Redis primary (the scripts touch a
 * window and a bucket key, which Redis Cluster may place on different slots).
 *
 * When Redis cannot be reached (or a command fails), the store fails open to this
 * instance's memory: the request is decided by a memory store of its own, so each instance
 * still enforces every limit on its own (N instances: up to N times a limit), nothing is
 * refused or failed because Redis is down, and a warning is logged (at most every 10 s).
 * What the memory decided is not written back to Redis once it returns.
 */
export function createRedisRateStore(url: string, options: RedisRateStoreOptions = {}): RateStore {
  const prefix = options.keyPrefix ?? 'leave:rl';
  const client = new Redis(url, {
    // Fail fast: a command waits neither for a reconnection nor in an offline queue.
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: options.connectTimeoutMs ?? 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastWarning = 0;
  client.on('error', (error: Error) => warn(error));
  const commands = client as unknown as Redis & RateCommands;
  commands.defineCommand('rlAdmit', { numberOfKeys: 2, lua: ADMIT });
  commands.defineCommand('rlSpend', { numberOfKeys: 1, lua: SPEND });
  commands.defineCommand('rlCredit', { numberOfKeys: 1, lua: CREDIT });
  commands.defineCommand('rlPeek', { numberOfKeys: 1, lua: PEEK });
  commands.defineCommand('rlPruneBucket', { numberOfKeys: 1, lua: PRUNE_BUCKET });
  const fallback = createMemoryRateStore();
  // Commands before the first connection wait for it (up to the connect timeout), not for later reconnections.
  const firstConnection = new Promise<void>((resolve) => {
    client.once('ready', () => resolve());
    setTimeout(resolve, options.connectTimeoutMs ?? 1_000).unref();
  });

  function warn(error: unknown): void {
    const now = Date.now();
    if (now - lastWarning < 10_000) return;
    lastWarning = now;
    log.warn({ err: error }, 'rate limits: Redis is unreachable; deciding in this instance alone');
  }

  /** Runs `command` on Redis, or `instead` on the memory fallback when Redis fails. */
  async function orFallback<T>(command: () => Promise<T>, instead: () => Promise<T>): Promise<T> {
    if (client.status !== 'ready') await firstConnection;
    if (client.status !== 'ready') {
      warn(new Error(`Redis connection is ${client.status}`));
      return instead();
    }
    try {
      return await command();
    } catch (error) {
      warn(error);
      return instead();
    }
  }

  const windowKey = (subject: string, windowStart: number) => `${prefix}:w:${windowStart}:${subject}`;
  const bucketKey = (subject: string) => `${prefix}:b:${subject}`;
  // Thousandths per millisecond equal points per second.
  const shapeArgs = (shape: BucketShape) => [shape.maximum * MILLI, shape.restorePerSecond] as const;
  /** Long enough to refill from empty (then a missing bucket reads the same: full), at least a second. */
  const bucketTtl = (shape: BucketShape) => Math.max(1_000, Math.ceil(shape.maximum / shape.restorePerSecond) * 1_000 + 1_000);

  async function scan(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  }

  return {
    admit: (input) =>
      orFallback(
        async () => {
          const { requests } = input;
          const windowTtl = Math.max(1_000, input.windowStart + 2 * HOUR_MS - input.now);
          const [count, keyCount, counted, charged, milli] = await commands.rlAdmit(
            windowKey(requests.subject, input.windowStart),
            bucketKey(input.budgetSubject),
            requests.limit,
            requests.key?.subject ?? '',
            requests.key?.limit ?? 0,
            input.cost * MILLI,
            ...shapeArgs(input.bucket),
            input.now,
            windowTtl,
            bucketTtl(input.bucket),
          );
          return { count, keyCount: requests.key ? keyCount : null, counted: counted === 1, charged: charged === 1, available: Number(milli) / MILLI };
        },
        () => fallback.admit(input),
      ),
    spend: (subject, cost, shape, now) =>
      orFallback(
        async () => {
          const [charged, milli] = await commands.rlSpend(bucketKey(subject), cost * MILLI, ...shapeArgs(shape), now, bucketTtl(shape));
          return { charged: charged === 1, available: Number(milli) / MILLI };
        },
        () => fallback.spend(subject, cost, shape, now),
      ),
    credit: (subject, refund, shape, now) =>
      orFallback(
        async () => Number(await commands.rlCredit(bucketKey(subject), refund * MILLI, ...shapeArgs(shape), now, bucketTtl(shape))) / MILLI,
        () => fallback.credit(subject, refund, shape, now),
      ),
    countRequests: (requests, windowStart) =>
      orFallback(
        async () => {
          const [count, keyCount] = await client.hmget(windowKey(requests.subject, windowStart), 'count', requests.key?.subject ?? 'count');
          return { count: Number(count ?? 0), keyCount: requests.key ? Number(keyCount ?? 0) : null };
        },
        () => fallback.countRequests(requests, windowStart),
      ),
    peek: (subject, shape, now) =>
      orFallback(
        async () => Number(await commands.rlPeek(bucketKey(subject), ...shapeArgs(shape), now)) / MILLI,
        () => fallback.peek(subject, shape, now),
      ),
    prune: (before, shape, now) =>
      orFallback(
        async () => {
          let windows = 0;
          for (const key of await scan(`${prefix}:w:*`)) {
            const start = Number(key.slice(prefix.length + 3).split(':', 1)[0]);
            if (start < before) windows += await client.del(key);
          }
          let budgets = 0;
          for (const key of await scan(`${prefix}:b:*`)) budgets += await commands.rlPruneBucket(key, before, ...shapeArgs(shape), now);
          return { windows, budgets };
        },
        () => fallback.prune(before, shape, now),
      ),
    async close() {
      client.disconnect();
    },
  };
}
