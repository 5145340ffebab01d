import crypto from 'node:crypto';
import fs from 'node:fs';
import { schemaDb } from '../../subgraphs/shared/database.ts';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from '../../subgraphs/shared/api-key-format.ts';
import type { Role } from '../../subgraphs/shared/identity.ts';
import type { RunningServer } from '../../subgraphs/shared/subgraph-server.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase, type PeopleDb } from '../../subgraphs/people/db/database.ts';
import { insertApiKey } from '../../subgraphs/people/db/repositories/api-keys.ts';
import { insertOrganization } from '../../subgraphs/people/db/repositories/organizations.ts';
import { insertUser } from '../../subgraphs/people/db/repositories/users.ts';
import { startPeopleServer } from '../../subgraphs/people/server.ts';
import { startGatewayServer, type RunningGateway } from '../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** The whole graph of a suite, in-process, on its own database. */
export interface TestGraph {
  readonly database: TestDatabase;
  readonly people: RunningServer;
  readonly gateway: RunningGateway;
  readonly identitySecret: string;
  readonly peopleDb: PeopleDb;
  /** POSTs a GraphQL operation to the gateway with `key` (none when undefined). */
  gql<T = Record<string, unknown>>(
    key: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphQLBody<T>; headers: Headers }>;
  stop(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface GraphOptions {
  readonly apiKeyCacheTtlMs?: number;
}

/** Starts every subgraph and the gateway on a fresh database, each on a free port. */
export async function startTestGraph(options: GraphOptions = {}): Promise<TestGraph> {
  const database = await createTestDatabase();
  const identitySecret = crypto.randomBytes(32).toString('hex');
  const people = await startPeopleServer({ database: database.handle, identitySecret });
  const gateway = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: { people: `${people.url}/graphql` },
    identitySecret,
    apiKeyCacheTtlMs: options.apiKeyCacheTtlMs,
  });
  return {
    database,
    people,
    gateway,
    identitySecret,
    peopleDb: schemaDb<PeopleDatabase>(database.handle, PEOPLE_SCHEMA),
    async gql(key, query, variables) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as never, headers: response.headers };
    },
    async stop() {
      await gateway.stop();
      await people.stop();
      await database.close();
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
  addUser(values?: { role?: Role; firstName?: string; lastName?: string; managerId?: string; departmentId?: string }): Promise<TestUser>;
}

let counter = 0;

/** Creates a key for `userId` (null: a service key) directly in the database. */
export async function createKey(db: PeopleDb, orgId: string, userId: string | null, scopes = ['admin']): Promise<{ id: string; secret: string }> {
  const secret = generateApiKeySecret();
  const row = await insertApiKey(db, {
    org_id: orgId,
    user_id: userId,
    name: `test key ${++counter}`,
    prefix: apiKeyPrefix(secret),
    secret_hash: hashApiKeySecret(secret),
    scopes,
  });
  return { id: row.id, secret };
}

/** Creates an organization with one admin. */
export async function createTestOrg(db: PeopleDb, name = `Org ${++counter}`): Promise<TestOrg> {
  const org = await insertOrganization(db, { name, time_zone: 'Europe/London', country: 'GB' });
  const addUser: TestOrg['addUser'] = async (values = {}) => {
    const n = ++counter;
    const email = `user${n}@${org.id.slice(0, 8)}.example.com`;
    const user = await insertUser(db, {
      org_id: org.id,
      email,
      first_name: values.firstName ?? `First${n}`,
      last_name: values.lastName ?? `Last${n}`,
      role: values.role ?? 'EMPLOYEE',
      manager_id: values.managerId ?? null,
      department_id: values.departmentId ?? null,
    });
    const key = await createKey(db, org.id, user.id);
    return { id: user.id, key: key.secret, email };
  };
  const admin = await addUser({ role: 'ADMIN', firstName: 'Ada', lastName: 'Admin' });
  return { id: org.id, admin, addUser };
}
