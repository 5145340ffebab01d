// The subscribers of the subscription benchmark, in their own process (as real dashboards
// are on other machines), so that their parsing does not take the gateway's CPU. Reads its
// settings from SUBSCRIBERS_CONFIG; prints `connected` once every subscriber is subscribed,
// then for each event, once all subscribers received it, one JSON line
// `{"eventId":…,"at":[…]}` (the receipt times on the machine's wall clock, ms). Ends when its
// standard input closes.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscribersConfig {
  readonly url: string;
  readonly key: string;
  readonly count: number;
  /** One subscription document per selection; subscriber i takes document i modulo their number. */
  readonly documents: readonly string[];
}

const config = JSON.parse(process.env['SUBSCRIBERS_CONFIG'] ?? '{}') as SubscribersConfig;
const clock = () => performance.timeOrigin + performance.now();
const eventIdOf = (cursor: string) => Number(/^event:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1]);

const byEvent = new Map<number, number[]>();
const clients: Client[] = [];
let acknowledged = 0;
for (let i = 0; i < config.count; i++) {
  const client = createClient({
    url: config.url,
    webSocketImpl: WebSocket,
    connectionParams: { 'X-Api-Key': config.key },
    retryAttempts: 0,
    on: { connected: () => void (acknowledged += 1) },
  });
  clients.push(client);
  client.subscribe<Record<string, { cursor: string }>>(
    { query: config.documents[i % config.documents.length]! },
    {
      next: (message) => {
        const at = clock();
        const payload = Object.values(message.data ?? {})[0];
        const eventId = eventIdOf(payload?.cursor ?? '');
        let times = byEvent.get(eventId);
        if (!times) byEvent.set(eventId, (times = []));
        times.push(at);
        if (times.length === config.count) {
          byEvent.delete(eventId);
          process.stdout.write(`${JSON.stringify({ eventId, at: times })}\n`);
        }
      },
      error: (e) => console.error('subscriber failed', e),
      complete: () => undefined,
    },
  );
}
while (acknowledged < config.count) await new Promise((r) => setTimeout(r, 50));
process.stdout.write('connected\n');
process.stdin.on('end', () => void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0)));
process.stdin.resume();
