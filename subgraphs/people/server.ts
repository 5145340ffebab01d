import fs from 'node:fs';
import { sql } from 'kysely';
import { parse } from 'graphql';
import { migrateSchema, schemaDb, type DatabaseHandle } from '../shared/database.ts';
import { startSubgraphServer, type RunningServer } from '../shared/subgraph-server.ts';
import { verifyApiKey } from './api-key-verification.ts';
import { verifyUser } from './user-verification.ts';
import { createPeopleContext } from './context.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase } from './db/database.ts';
import { peopleMigrations } from './db/migrations/index.ts';
import { peopleResolvers } from './resolvers/index.ts';
import { findTrustedDocuments } from './db/repositories/trusted-documents.ts';
import { isTrustedDocumentId } from '../shared/trusted-document-id.ts';
import { isId } from '../shared/validation.ts';
import type { OrganizationRequestLimits } from '../shared/request-limits.ts';

/** The people subgraph's SDL, as composed into the supergraph. */
const peopleTypeDefs = fs.readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface PeopleServerOptions {
  readonly database: DatabaseHandle;
  /** Secret shared with the gateway for identity signatures. */
  readonly identitySecret: string;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /**
   * The organizations' hourly request limits the gateway enforces (RATE_LIMIT_PER_HOUR and
   * RATE_LIMIT_PER_HOUR_BY_ORG): createApiKey and updateApiKey refuse a key limit above its
   * organization's. Absent: only the 1..1,000,000 bound is checked (the gateway still
   * holds every key to its organization's limit).
   */
  readonly requestLimits?: OrganizationRequestLimits | undefined;
}

/** Migrates the people schema and serves the people subgraph. */
export async function startPeopleServer(options: PeopleServerOptions): Promise<RunningServer> {
  await migrateSchema(options.database, PEOPLE_SCHEMA, peopleMigrations);
  const db = schemaDb<PeopleDatabase>(options.database, PEOPLE_SCHEMA);
  return startSubgraphServer({
    name: 'people',
    typeDefs: parse(peopleTypeDefs),
    resolvers: peopleResolvers,
    identitySecret: options.identitySecret,
    port: options.port,
    host: options.host,
    createContext: (identity) => createPeopleContext(db, identity, options.requestLimits ?? null),
    checkReady: async () => {
      await sql`select 1`.execute(db);
    },
    internalRoutes: {
      '/internal/verify-api-key': async (body) => {
        const { prefix, secretHash } = (body ?? {}) as { prefix?: unknown; secretHash?: unknown };
        if (typeof prefix !== 'string' || typeof secretHash !== 'string') {
          return { status: 400, body: { error: 'prefix and secretHash (base64url) are required' } };
        }
        return { status: 200, body: await verifyApiKey(db, prefix, Buffer.from(secretHash, 'base64url')) };
      },
      // Whether a JWT's person exists in its organization and is active, with their stored role.
      '/internal/verify-user': async (body) => {
        const { orgId, userId } = (typeof body === 'object' && body !== null ? body : {}) as { orgId?: unknown; userId?: unknown };
        if (typeof orgId !== 'string' || !isId(orgId) || typeof userId !== 'string' || !isId(userId)) {
          return { status: 400, body: { error: 'orgId and userId (UUIDs) are required' } };
        }
        return { status: 200, body: await verifyUser(db, orgId, userId) };
      },
      // The body of a trusted document, for the gateway to run in place of a document id;
      // only the given organization's documents are found.
      '/internal/trusted-document': async (body) => {
        const { orgId, id } = (typeof body === 'object' && body !== null ? body : {}) as { orgId?: unknown; id?: unknown };
        if (typeof orgId !== 'string' || !isId(orgId) || typeof id !== 'string' || !isTrustedDocumentId(id)) {
          return { status: 400, body: { error: 'orgId (an organization id) and id (sha256: and 64 lower-case hex digits) are required' } };
        }
        const [row] = await findTrustedDocuments(db, orgId, [id]);
        if (!row) return { status: 404, body: { error: `no trusted document ${id} in this organization` } };
        return { status: 200, body: { body: row.body } };
      },
    },
  });
}
