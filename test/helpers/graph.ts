import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { schemaDb } from '../../subgraphs/shared/database.ts';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from '../../subgraphs/shared/api-key-format.ts';
import type { Role } from '../../subgraphs/shared/identity.ts';
import type { KeyPolicy } from '../../subgraphs/shared/key-policy.ts';
import type { RunningServer } from '../../subgraphs/shared/subgraph-server.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase, type PeopleDb } from '../../subgraphs/people/db/database.ts';
import { insertApiKey } from '../../subgraphs/people/db/repositories/api-keys.ts';
import { insertOrganization } from '../../subgraphs/people/db/repositories/organizations.ts';
import { insertUser } from '../../subgraphs/people/db/repositories/users.ts';
import type { EmploymentType } from '../../subgraphs/people/db/tables/users.ts';
import { startPeopleServer } from '../../subgraphs/people/server.ts';
import { departmentEvent, organizationEvent, userEvent } from '../../subgraphs/people/events.ts';
import { insertDepartment } from '../../subgraphs/people/db/repositories/departments.ts';
import { appendEvents } from '../../subgraphs/shared/outbox.ts';
import { startLeaveServer, type RunningLeaveServer } from '../../subgraphs/leave/server.ts';
import { LEAVE_SCHEMA, type LeaveDatabase, type LeaveDb } from '../../subgraphs/leave/db/database.ts';
import { startTimeServer, type RunningTimeServer } from '../../subgraphs/time/server.ts';
import { TIME_SCHEMA, type TimeDatabase, type TimeDb } from '../../subgraphs/time/db/database.ts';
import { startBoardingServer, type RunningBoardingServer } from '../../subgraphs/boarding/server.ts';
import { BOARDING_SCHEMA, type BoardingDatabase, type BoardingDb } from '../../subgraphs/boarding/db/database.ts';
import { startWebhooksServer, type RunningWebhooksServer, type WebhooksServerOptions } from '../../subgraphs/webhooks/server.ts';
import { startGatewayServer, type GatewayServerOptions, type RunningGateway } from '../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { TEST_RATE_LIMITS } from './rate-limits.ts';

/** The whole graph of a suite, in-process, on its own database. */
export interface TestGraph {
  readonly database: TestDatabase;
  readonly people: RunningServer;
  readonly leave: RunningLeaveServer;
  readonly time: RunningTimeServer;
  readonly boarding: RunningBoardingServer;
  readonly webhooks: RunningWebhooksServer;
  readonly gateway: RunningGateway;
  readonly identitySecret: string;
  readonly peopleDb: PeopleDb;
  readonly leaveDb: LeaveDb;
  readonly timeDb: TimeDb;
  readonly boardingDb: BoardingDb;
  /** Where the leave subgraph keeps uploaded documents. */
  readonly documentsDir: string;
  /** POSTs a GraphQL operation to the gateway with `key` (none when undefined). */
  gql<T = Record<string, unknown>>(
    key: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphQLBody<T>; headers: Headers }>;
  /**
   * Stops a subgraph for real (its port closes); resolves to a function that starts it again
   * on the same port, with the same database and settings.
   */
  stopService(name: 'people' | 'leave' | 'time'): Promise<() => Promise<void>>;
  /** Every subgraph's GraphQL URL by name, for suites that start a gateway of their own. */
  subgraphUrls(): Record<string, string>;
  stop(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface GraphOptions {
  readonly apiKeyCacheTtlMs?: number;
  /** Fixed clock for the leave, time and boarding subgraphs. */
  readonly now?: () => Date;
  /** How often boarding publishes due leave activations and takes due automatic rolls, ms. */
  readonly activationIntervalMs?: number;
  /** Largest document upload, bytes. */
  readonly documentMaxBytes?: number;
  /** Called with the SQL of every statement any service runs. */
  readonly onQuery?: (sql: string) => void;
  /** How often the gateway verifies keys of open WebSocket connections again, ms. */
  readonly subscriptionRecheckMs?: number;
  readonly maxSubscriptionsPerConnection?: number;
  readonly maxSubscriptionsPerKey?: number;
  /** How long a subscriber's unresolvable event is retried before its subscription ends, ms. */
  readonly subscriptionEventHoldMs?: number;
  /** Gateway protection; by default the limits are high enough never to bother other suites. */
  /** Webhooks settings; by default the worker runs with production settings (no insecure URLs). */
  readonly webhooks?: Omit<WebhooksServerOptions, 'database' | 'identitySecret'>;
  readonly protection?: Pick<GatewayServerOptions, 'jwt' | 'shapeLimits' | 'maxCost' | 'scopeMode' | 'rateLimits' | 'requestsPerHourByOrganization' | 'trustedProxyHops' | 'now' | 'rateStore'>;
  /** Whether people knows the gateway's organization limits (and refuses key limits above them); default false. */
  readonly peopleKnowsRequestLimits?: boolean;
}

/** Rate limits of test graphs unless a suite sets its own. */
export { TEST_RATE_LIMITS };

/** Starts every subgraph and the gateway on a fresh database, each on a free port. */
export async function startTestGraph(options: GraphOptions = {}): Promise<TestGraph> {
  const database = await createTestDatabase({ onQuery: options.onQuery });
  const identitySecret = crypto.randomBytes(32).toString('hex');
  const requestsPerHour = options.protection?.rateLimits?.requestsPerHour ?? TEST_RATE_LIMITS.requestsPerHour;
  const requestLimits = options.peopleKnowsRequestLimits
    ? { perHour: requestsPerHour, byOrganization: options.protection?.requestsPerHourByOrganization ?? new Map<string, number>() }
    : undefined;
  let people = await startPeopleServer({ database: database.handle, identitySecret, requestLimits });
  const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leave-docs-'));
  // The documents' public URL is the gateway's, known only once it listens: a getter defers it.
  let gatewayUrl = '';
  const leaveOptions = {
    database: database.handle,
    identitySecret,
    now: options.now,
    documents: {
      directory: documentsDir,
      maxBytes: options.documentMaxBytes ?? 10_000_000,
      get publicUrl() {
        return gatewayUrl;
      },
      signingSecret: identitySecret,
    },
  };
  let leave = await startLeaveServer(leaveOptions);
  const timeOptions = { database: database.handle, identitySecret, now: options.now };
  let time = await startTimeServer(timeOptions);
  const boarding = await startBoardingServer({ database: database.handle, identitySecret, now: options.now, activationIntervalMs: options.activationIntervalMs });
  const stopped = new Set<'people' | 'leave' | 'time'>();
  const webhooks = await startWebhooksServer({ database: database.handle, identitySecret, ...options.webhooks });
  const subgraphUrls = () => ({ people: `${people.url}/graphql`, leave: `${leave.url}/graphql`, time: `${time.url}/graphql`, boarding: `${boarding.url}/graphql`, webhooks: `${webhooks.url}/graphql` });
  const gateway = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: subgraphUrls(),
    identitySecret,
    apiKeyCacheTtlMs: options.apiKeyCacheTtlMs,
    database: database.handle,
    subscriptionRecheckMs: options.subscriptionRecheckMs,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection,
    maxSubscriptionsPerKey: options.maxSubscriptionsPerKey,
    subscriptionEventHoldMs: options.subscriptionEventHoldMs,
    subscriptionRetryDelayMs: options.subscriptionEventHoldMs !== undefined ? 100 : undefined,
    ...options.protection,
    rateLimits: { ...TEST_RATE_LIMITS, ...options.protection?.rateLimits },
  });
  gatewayUrl = gateway.url;
  return {
    database,
    get people() {
      return people;
    },
    get leave() {
      return leave;
    },
    get time() {
      return time;
    },
    boarding,
    webhooks,
    gateway,
    subgraphUrls,
    identitySecret,
    peopleDb: schemaDb<PeopleDatabase>(database.handle, PEOPLE_SCHEMA),
    leaveDb: schemaDb<LeaveDatabase>(database.handle, LEAVE_SCHEMA),
    timeDb: schemaDb<TimeDatabase>(database.handle, TIME_SCHEMA),
    boardingDb: schemaDb<BoardingDatabase>(database.handle, BOARDING_SCHEMA),
    documentsDir,
    async gql(key, query, variables) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as never, headers: response.headers };
    },
    async stopService(name) {
      const service = name === 'people' ? people : name === 'leave' ? leave : time;
      const port = Number(new URL(service.url).port);
      await service.stop();
      stopped.add(name);
      return async () => {
        if (name === 'people') people = await startPeopleServer({ database: database.handle, identitySecret, requestLimits, port });
        else if (name === 'leave') leave = await startLeaveServer({ ...leaveOptions, port });
        else time = await startTimeServer({ ...timeOptions, port });
        stopped.delete(name);
      };
    },
    async stop() {
      await gateway.stop();
      if (!stopped.has('time')) await time.stop();
      await boarding.stop();
      await webhooks.stop();
      if (!stopped.has('leave')) await leave.stop();
      if (!stopped.has('people')) await people.stop();
      await database.close();
      fs.rmSync(documentsDir, { recursive: true, force: true });
    },
  };
}

/** A person created directly in the database, with a key that acts as them. */
export interface TestUser {
  readonly id: string;
  readonly key: string;
  readonly email: string;
}

/** An organization with an admin (and their key) created directly in the database. */
export interface TestOrg {
  readonly id: string;
  readonly admin: TestUser;
  /** Adds a user with a key. */
  addUser(values?: NewTestUser): Promise<TestUser>;
  /** Adds a department (published like people's writes); `managerId` optional. */
  addDepartment(name: string, managerId?: string): Promise<string>;
}

/** Fields of a user created by a test; everything is optional. */
export interface NewTestUser {
  role?: Role;
  firstName?: string;
  lastName?: string;
  managerId?: string;
  departmentId?: string;
  country?: string;
  region?: string;
  employmentType?: EmploymentType;
  employmentStartDate?: string;
  /** Hours Monday..Sunday, e.g. ['8','8','8','8','8','0','0']. */
  workingPattern?: string[];
  /** Id in another HR system (hours worked by external id). */
  externalId?: string;
}

let counter = 0;

/**
 * Creates a key for `userId` (null: a service key) directly in the database, with `policy`
 * (default: a live key, any IP, the organization's limit, any document). Nothing is
 * checked: a test key must be given a sandbox organization's id to verify.
 */
export async function createKey(
  db: PeopleDb,
  orgId: string,
  userId: string | null,
  scopes = ['admin'],
  policy: Partial<KeyPolicy> = {},
): Promise<{ id: string; secret: string }> {
  const mode = policy.mode ?? 'live';
  const secret = generateApiKeySecret(mode);
  const row = await insertApiKey(db, {
    org_id: orgId,
    user_id: userId,
    name: `test key ${++counter}`,
    prefix: apiKeyPrefix(secret),
    secret_hash: hashApiKeySecret(secret),
    scopes,
    mode,
    ip_allowlist: [...(policy.ipAllowlist ?? [])],
    requests_per_hour: policy.requestsPerHour ?? null,
    trusted_documents_only: policy.trustedDocumentsOnly ?? false,
  });
  return { id: row.id, secret };
}

/** Creates an organization with one admin. */
export async function createTestOrg(db: PeopleDb, name = `Org ${++counter}`): Promise<TestOrg> {
  const org = await db.transaction().execute(async (trx) => {
    const row = await insertOrganization(trx, { name, time_zone: 'Europe/London', country: 'GB' });
    await appendEvents(trx, [organizationEvent(row, 'created', null)]);
    return row;
  });
  const addUser: TestOrg['addUser'] = async (values = {}) => {
    const n = ++counter;
    const email = `user${n}@${org.id.slice(0, 8)}.example.com`;
    const user = await db.transaction().execute(async (trx) => {
      const row = await insertUser(trx, {
        org_id: org.id,
        email,
        first_name: values.firstName ?? `First${n}`,
        last_name: values.lastName ?? `Last${n}`,
        role: values.role ?? 'EMPLOYEE',
        manager_id: values.managerId ?? null,
        department_id: values.departmentId ?? null,
        country: values.country ?? null,
        region: values.region ?? null,
        employment_type: values.employmentType ?? 'FULL_TIME',
        employment_start_date: values.employmentStartDate ?? '2020-01-06',
        ...(values.workingPattern ? { working_pattern: values.workingPattern } : {}),
        ...(values.externalId ? { external_id: values.externalId } : {}),
      });
      // Published like people's own writes, so leave's directory learns of the user.
      await appendEvents(trx, [userEvent(row, 'created', null)]);
      return row;
    });
    const key = await createKey(db, org.id, user.id);
    return { id: user.id, key: key.secret, email };
  };
  const addDepartment: TestOrg['addDepartment'] = (departmentName, managerId) =>
    db.transaction().execute(async (trx) => {
      const row = await insertDepartment(trx, { org_id: org.id, name: departmentName, manager_id: managerId ?? null });
      await appendEvents(trx, [departmentEvent(row, 'created', null)]);
      return row.id;
    });
  const admin = await addUser({ role: 'ADMIN', firstName: 'Ada', lastName: 'Admin' });
  return { id: org.id, admin, addUser, addDepartment };
}
