import { GraphQLError, Kind, parse } from 'graphql';
import { badInput, notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isTrustedDocumentId, trustedDocumentId } from '../../shared/trusted-document-id.ts';
import { requireText } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import {
  countTrustedDocuments,
  deleteTrustedDocument,
  insertTrustedDocuments,
  listTrustedDocuments,
  trustedDocumentSortKey,
} from '../db/repositories/trusted-documents.ts';
import { toTrustedDocument, type TrustedDocumentModel } from './mappers.ts';
import { userOf } from './lookups.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Most documents one `registerTrustedDocuments` call takes. */
const MAX_DOCUMENTS_PER_CALL = 100;
/** Longest document body, in characters. */
const MAX_BODY_LENGTH = 100_000;

interface RegisterTrustedDocumentsInput {
  documents: { name: string; body: string }[];
}

/** Checks that `body` is an executable GraphQL document with at least one operation; BAD_USER_INPUT on `field` otherwise. */
function requireExecutableDocument(field: string, body: string): void {
  if (body.length > MAX_BODY_LENGTH) throw badInput(field, 'TOO_LONG', `must have at most ${MAX_BODY_LENGTH} characters`);
  let definitions;
  try {
    definitions = parse(body, { noLocation: true }).definitions;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const at = error.locations?.[0];
    throw badInput(field, 'INVALID_FORMAT', `must be a GraphQL document: ${error.message}${at ? ` (line ${at.line}, column ${at.column})` : ''}`);
  }
  const other = definitions.find((d) => d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION);
  if (other) throw badInput(field, 'INVALID_FORMAT', `must be an executable document (operations and fragments only), not a ${other.kind}`);
  if (!definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)) throw badInput(field, 'INVALID_FORMAT', 'must contain an operation');
}

export const trustedDocumentResolvers = {
  Query: {
    trustedDocuments: async (_: unknown, args: PageArgs, ctx: PeopleContext) => {
      requireAdmin(ctx, 'list trusted documents', 'admin');
      const limit = pageSize(args);
      const orgId = ctx.identity.orgId;
      const rows = await listTrustedDocuments(ctx.db, orgId, limit, args);
      return toConnection(rows, limit, args, trustedDocumentSortKey, toTrustedDocument, () => countTrustedDocuments(ctx.db, orgId));
    },
  },
  TrustedDocument: {
    createdBy: (doc: TrustedDocumentModel, _: unknown, ctx: PeopleContext) => userOf(ctx, doc.createdById),
  },
  Mutation: {
    registerTrustedDocuments: async (_: unknown, { input }: { input: RegisterTrustedDocumentsInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'register trusted documents', 'admin');
      const given = input.documents;
      if (given.length < 1 || given.length > MAX_DOCUMENTS_PER_CALL) {
        throw badInput('input.documents', 'OUT_OF_RANGE', `must hold from 1 to ${MAX_DOCUMENTS_PER_CALL} documents`);
      }
      const documents = given.map((doc, i) => {
        const name = requireText(`input.documents[${i}].name`, doc.name, 1, 200);
        requireExecutableDocument(`input.documents[${i}].body`, doc.body);
        // The body is kept exactly as given: the id is the hash of these very characters.
        return { id: trustedDocumentId(doc.body), name, body: doc.body };
      });
      // One row per distinct body; the first name given for it wins.
      const unique = new Map<string, (typeof documents)[number]>();
      for (const doc of documents) if (!unique.has(doc.id)) unique.set(doc.id, doc);
      const rows = await insertTrustedDocuments(ctx.db, ctx.identity.orgId, ctx.identity.userId, [...unique.values()]);
      const byId = new Map(rows.map((r) => [r.id, toTrustedDocument(r)]));
      // One answer per given document, in the order given.
      return documents.map((d) => {
        const stored = byId.get(d.id);
        if (!stored) throw new Error(`trusted document ${d.id} was not stored`);
        return stored;
      });
    },
    deleteTrustedDocument: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'delete trusted documents', 'admin');
      const row = isTrustedDocumentId(id) ? await deleteTrustedDocument(ctx.db, ctx.identity.orgId, id) : undefined;
      if (!row) throw notFound('TrustedDocument', id);
      return toTrustedDocument(row);
    },
  },
} satisfies Resolvers;
