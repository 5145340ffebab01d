import pg from 'pg';
import type { DatabaseHandle } from './database.ts';

/** The channel every outbox append notifies, with the new event id as payload. */
export const EVENTS_CHANNEL = 'leave_graph_events';

/**
 * Calls `onNotify` for each notification on `channel`. PGlite: `pglite.listen` (its pg
 * adapter does not deliver notifications). PostgreSQL: a dedicated `pg.Client` that
 * reconnects after a failure (callers poll too, so a gap only delays delivery).
 * Resolves to a function that stops listening.
 */
export async function listen(handle: DatabaseHandle, channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
  if (handle.pglite) {
    const unlisten = await handle.pglite.listen(channel, onNotify);
    return () => unlisten();
  }
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: handle.url });
    c.on('notification', (msg) => onNotify(msg.payload ?? ''));
    c.on('error', () => {
      void c.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => void connect().catch(() => undefined), 1000);
    });
    await c.connect();
    await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
