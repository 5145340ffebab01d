import { appendEvents } from '../../shared/outbox.ts';
import type { WebhooksDb } from '../db/database.ts';
import { activeLease, claimDelivery, earlierPending, endpointHead, LeaseLostError, postpone, recordAttempt, wakeNext, type ClaimedDelivery } from '../db/repositories/deliveries.ts';
import { updateEndpoint } from '../db/repositories/endpoints.ts';
import { ENDPOINT_DISABLED_TYPE } from './catalogue.ts';
import type { DeliveryQueue } from './queue.ts';
import { sendRequest, type SendResult } from './send-request.ts';
import { signatureHeaders } from './signing.ts';
import { checkEndpointUrl, UnsafeUrlError, type UrlPolicy } from './url-safety.ts';
import { serviceLogger } from '../../shared/logger.ts';

const log = serviceLogger('webhooks');

/** Delays after each failed attempt before the next one (Svix's): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** Settings of delivery; every default is production's. */
export interface DeliverySettings {
  readonly urlPolicy: UrlPolicy;
  /** Delays between attempts; after the last one fails, the delivery is failed. */
  readonly retryScheduleMs: readonly number[];
  /** Random extra delay, as a fraction of each retry delay (default 0.2). */
  readonly jitter: number;
  /** Per-attempt timeout (resolving the host, connecting, sending, reading the answer), default 10 s. */
  readonly timeoutMs: number;
  /**
   * A claim lasts `timeoutMs` plus this margin (default 30 s): longer than any attempt can
   * run, so no one else attempts the delivery meanwhile; a worker that dies mid-attempt lets
   * it lapse, and the delivery is attempted again after it.
   */
  readonly leaseMarginMs: number;
  /** How long one queue job keeps delivering an endpoint's next deliveries before queuing a job for the rest, default 2 s. */
  readonly drainMs: number;
  /** Response bytes kept (and read), default 4096. */
  readonly maxResponseBytes: number;
  /** An endpoint failing without a success for this long is disabled; default 5 days. */
  readonly disableAfterMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: Omit<DeliverySettings, 'urlPolicy'> = {
  retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
  jitter: 0.2,
  timeoutMs: 10_000,
  leaseMarginMs: 30_000,
  drainMs: 2_000,
  maxResponseBytes: 4096,
  disableAfterMs: 5 * 24 * 3_600_000,
};

/** `promise`'s value, or undefined when `ms` pass first. */
async function withinTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Makes one attempt of a delivery; what the queue's task runs. */
export type AttemptDelivery = (deliveryId: string) => Promise<void>;

/** Deliveries one job makes of an endpoint, in order, before it queues a job for the rest. */
const DRAIN_MAX = 100;

/**
 * One job: an attempt of the delivery, then, while the budget lasts (`drainMs`, at most 100
 * deliveries), of the endpoint's next deliveries in order, so a busy endpoint costs one
 * queue job per batch rather than per delivery; what is left gets a job of its own.
 *
 * Each attempt: claim the delivery (a lease, so no one else attempts it at the same time),
 * hold it back behind an earlier pending delivery of the same endpoint (outbox order), check
 * the URL again (DNS may have changed) and connect to the checked address, sign, send, then
 * record the attempt and queue the retry (or fail the delivery, or disable the endpoint) in
 * one transaction. A job whose delivery is already done (it is run again after its worker
 * died mid-drain) carries on with the endpoint's first pending delivery.
 */
export function createDeliveryEngine(db: WebhooksDb, queue: DeliveryQueue, settings: DeliverySettings): AttemptDelivery {
  const leaseMs = settings.timeoutMs + settings.leaseMarginMs;
  const enqueueNow = (deliveryId: string, runAt = new Date()) => db.transaction().execute((trx) => queue.enqueue(trx, { deliveryId, runAt }));

  return async (deliveryId) => {
    const started = Date.now();
    let next = await attemptOne(deliveryId, true);
    for (let n = 1; next !== undefined; n++) {
      if (n >= DRAIN_MAX || Date.now() - started >= settings.drainMs) {
        await enqueueNow(next);
        return;
      }
      next = await attemptOne(next, false);
    }
  };

  /** The job's delivery cannot be claimed: what to do instead; the delivery to attempt, if any. */
  async function takeOver(deliveryId: string): Promise<string | undefined> {
    // Claimed by another attempt (a duplicate job, or a dead worker's unlocked job whose lease
    // has not lapsed yet): look again when that claim ends, so nothing waits for a sweep.
    const lease = await activeLease(db, deliveryId);
    if (lease?.leased_until) {
      await enqueueNow(deliveryId, new Date(lease.leased_until.getTime() + 10));
      return undefined;
    }
    const head = await endpointHead(db, deliveryId);
    if (!head || head.id === deliveryId) return undefined;
    if (head.leased_until && head.leased_until >= new Date()) {
      await enqueueNow(head.id, new Date(head.leased_until.getTime() + 10));
      return undefined;
    }
    return head.next_attempt_at && head.next_attempt_at <= new Date() ? head.id : undefined;
  }

  /** One attempt; returns the endpoint's next delivery when this one is done and that one is due now. */
  async function attemptOne(deliveryId: string, first: boolean): Promise<string | undefined> {
    // In order (no earlier pending delivery of the endpoint): one statement; otherwise claimed
    // to be held back (below), or not claimable at all.
    const delivery = (await claimDelivery(db, deliveryId, leaseMs, { inOrder: true })) ?? (await claimDelivery(db, deliveryId, leaseMs));
    if (!delivery) return first ? takeOver(deliveryId) : undefined;
    // Held back behind an earlier pending delivery of the endpoint (outbox order), no attempt
    // counted and no job queued: its due time moves to the blocker's (so the sweep leaves it
    // alone meanwhile), and the blocker's finishing wakes the endpoint's next delivery
    // (wakeNext), which wakes the one after it, and so on. The blocker's row is locked, so its
    // finishing cannot slip between the check and the postponement (a lost wake-up).
    const held = await db.transaction().execute(async (trx) => {
      const blocker = await earlierPending(trx, delivery.endpointId, delivery.seq);
      if (!blocker) return false;
      const until = Math.max(blocker.next_attempt_at?.getTime() ?? 0, blocker.leased_until?.getTime() ?? 0, Date.now());
      await postpone(trx, delivery, new Date(until));
      return true;
    });
    if (held) return undefined;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'leave-graph-webhooks/1',
      ...signatureHeaders(delivery.secrets, delivery.messageId, timestamp, delivery.body),
    };
    let result: SendResult;
    if (!delivery.enabled) {
      result = { status: null, body: null, error: 'endpoint is disabled', durationMs: 0 };
    } else {
      // The whole attempt, resolving included, stays within the timeout (and so within the lease).
      const started = Date.now();
      try {
        const target = await withinTimeout(checkEndpointUrl(delivery.url, settings.urlPolicy), settings.timeoutMs);
        if (!target) result = { status: null, body: null, error: `timed out resolving the host after ${settings.timeoutMs} ms`, durationMs: Date.now() - started };
        else result = await sendRequest(target, headers, delivery.body, { ...settings, timeoutMs: Math.max(1, settings.timeoutMs - (Date.now() - started)) });
      } catch (error) {
        if (!(error instanceof UnsafeUrlError)) throw error;
        result = { status: null, body: null, error: `refused: url ${error.message}`, durationMs: 0 };
      }
    }
    try {
      return await finish(delivery, headers, result);
    } catch (error) {
      // The claim lapsed and another attempt owns the delivery now: this one records nothing.
      if (!(error instanceof LeaseLostError)) throw error;
      log.error(error.message);
      return undefined;
    }
  }

  async function finish(delivery: ClaimedDelivery, headers: Record<string, string>, result: SendResult): Promise<string | undefined> {
    const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
    const error = succeeded ? null : (result.error ?? `HTTP ${result.status}`);
    const delay = settings.retryScheduleMs[delivery.attempts];
    const retry = !succeeded && delivery.enabled && delay !== undefined;
    const nextAttemptAt = retry ? new Date(Date.now() + delay + Math.floor(Math.random() * delay * settings.jitter)) : null;
    return db.transaction().execute(async (trx) => {
      await recordAttempt(trx, delivery, {
        headers,
        status: result.status,
        responseBody: result.body,
        durationMs: result.durationMs,
        error,
        succeeded,
        nextStatus: succeeded ? 'SUCCEEDED' : retry ? 'PENDING' : 'FAILED',
        nextAttemptAt,
      });
      // Done with this one: the endpoint's next delivery (held back behind it) is due now, and
      // this job attempts it next (if this job's worker dies first, the job is run again and
      // carries on with it: takeOver).
      let next: string | undefined;
      if (nextAttemptAt) await queue.enqueue(trx, { deliveryId: delivery.id, runAt: nextAttemptAt });
      else next = await wakeNext(trx, delivery.endpointId, delivery.seq);
      if (!delivery.enabled) return next;
      if (succeeded) {
        if (delivery.failing) await trx.updateTable('endpoints').set({ failing_since: null }).where('id', '=', delivery.endpointId).where('failing_since', 'is not', null).execute();
        return next;
      }
      const endpoint = await trx
        .updateTable('endpoints')
        .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', eb.val(new Date())) }))
        .where('id', '=', delivery.endpointId)
        .returning(['failing_since', 'url', 'enabled'])
        .executeTakeFirst();
      if (!endpoint?.enabled || !endpoint.failing_since || Date.now() - endpoint.failing_since.getTime() < settings.disableAfterMs) return next;
      const reason = `every delivery failed for ${Math.round(settings.disableAfterMs / 3_600_000)} h (last: ${error ?? 'failed'})`;
      await updateEndpoint(trx, delivery.orgId, delivery.endpointId, { enabled: false, disabled_reason: reason });
      await appendEvents(trx, [
        {
          orgId: delivery.orgId,
          type: ENDPOINT_DISABLED_TYPE,
          entityType: 'WebhookEndpoint',
          entityId: delivery.endpointId,
          actorId: null,
          payload: { url: endpoint.url, reason },
        },
      ]);
      return next;
    });
  }
}
