// `npm run admin -- <command> [options]`: the operator's commands for a deployment (its
// DATABASE_URL, or the embedded data directory of `npm start` when DATABASE_URL is unset:
// stop `npm start` first, PGlite serves one process). See docs/operations.md.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GraphQLError } from 'graphql';
import { readDatabaseConfig } from '../shared/config.ts';
import { migrateSchema, openDatabase, schemaDb, type DatabaseHandle } from '../shared/database.ts';
import { EVENTS_SCHEMA, eventsMigrations } from '../shared/events-migrations/index.ts';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret, isScope, SCOPES } from '../shared/api-key-format.ts';
import { appendEvents } from '../shared/outbox.ts';
import { logger } from '../shared/logger.ts';
import { startFailureReason } from '../shared/process.ts';
import { requireCountry, requireEmail, requireIntInRange, requireText, requireTimeZone } from '../shared/validation.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase, type PeopleDb } from './db/database.ts';
import { peopleMigrations } from './db/migrations/index.ts';
import { insertApiKey } from './db/repositories/api-keys.ts';
import { insertOrganization } from './db/repositories/organizations.ts';
import { insertUser } from './db/repositories/users.ts';
import { organizationEvent, userEvent } from './events.ts';

/** A refusal the operator can fix: printed as one line, exit status 2. */
export class AdminInputError extends Error {}

/** What a command prints: lines for a person, and the same facts as JSON with `--json`. */
export interface AdminResult {
  readonly lines: readonly string[];
  readonly json: Record<string, unknown>;
}

const USAGE = `usage: npm run admin -- <command> [options]

commands:
  create-organization --name <name> --country <CC> --admin-email <email>
                      [--admin-first-name <name>] [--admin-last-name <name>]
                      [--time-zone <IANA zone>] [--leave-year-start-month <1-12>]
      Creates an organization and its first admin, and prints an admin API key once.
      Run again with the same name and admin email: says it exists, creates nothing.
  list-organizations
      Every organization: id, name, country, time zone, people, live API keys.
  create-api-key --organization <id> [--user-email <email>] [--name <name>] [--scopes <a,b,...>]
      Issues an API key (default: all scopes, for the organization's oldest active admin) and
      prints it once.

options for every command: --json (print JSON instead of text)
The database: DATABASE_URL when set, else the embedded data directory (DATA_DIR, default .data).`;

type Options = Record<string, string | boolean | undefined>;

/** `value` of a string option, or AdminInputError naming it. */
function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new AdminInputError(`--${name} is required`);
  return value;
}

function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Runs a validation rule and turns its BAD_USER_INPUT into the option's error. */
function check<T>(option: string, rule: () => T): T {
  try {
    return rule();
  } catch (error) {
    if (error instanceof GraphQLError) throw new AdminInputError(`--${option} ${error.message.replace(/^[\w.-]+:\s*/, '')}`);
    throw error;
  }
}

/** A new key row and its secret (shown once; only the hash is stored). */
async function issueKey(db: PeopleDb, orgId: string, userId: string, name: string, scopes: readonly string[]): Promise<{ id: string; secret: string }> {
  const secret = generateApiKeySecret('live');
  const row = await insertApiKey(db, {
    org_id: orgId,
    user_id: userId,
    name,
    prefix: apiKeyPrefix(secret),
    secret_hash: hashApiKeySecret(secret),
    scopes: [...scopes],
    created_by: userId,
  });
  return { id: row.id, secret };
}

async function createOrganization(db: PeopleDb, options: Options): Promise<AdminResult> {
  const name = check('name', () => requireText('name', required(options, 'name'), 1, 200));
  const country = check('country', () => requireCountry('country', required(options, 'country')));
  const email = check('admin-email', () => requireEmail('admin-email', required(options, 'admin-email')));
  const timeZone = check('time-zone', () => requireTimeZone('time-zone', optional(options, 'time-zone') ?? 'UTC'));
  const monthText = optional(options, 'leave-year-start-month') ?? '1';
  const month = check('leave-year-start-month', () => requireIntInRange('leave-year-start-month', /^\d+$/.test(monthText) ? Number(monthText) : NaN, 1, 12));
  const localPart = email.split('@')[0] ?? 'admin';
  const firstName = check('admin-first-name', () => requireText('admin-first-name', optional(options, 'admin-first-name') ?? localPart, 1, 100));
  const lastName = check('admin-last-name', () => requireText('admin-last-name', optional(options, 'admin-last-name') ?? 'Admin', 1, 100));

  return db.transaction().execute(async (trx) => {
    // Idempotent: the same name with the same admin is the organization made before.
    const existing = await trx
      .selectFrom('organizations as o')
      .innerJoin('users as u', 'u.org_id', 'o.id')
      .select(['o.id', 'o.name', 'u.id as admin_id'])
      .where('o.sandbox_of', 'is', null)
      .where((eb) => eb(eb.fn('lower', ['o.name']), '=', name.toLowerCase()))
      .where('u.email', '=', email)
      .where('u.role', '=', 'ADMIN')
      .executeTakeFirst();
    if (existing) {
      return {
        lines: [
          `organization "${existing.name}" (${existing.id}) already exists with admin ${email}: nothing created.`,
          `Its keys were shown when they were made; issue another with: npm run admin -- create-api-key --organization ${existing.id}`,
        ],
        json: { created: false, organizationId: existing.id, adminUserId: existing.admin_id },
      };
    }
    const org = await insertOrganization(trx, { name, country, time_zone: timeZone, leave_year_start_month: month });
    const admin = await insertUser(trx, {
      org_id: org.id,
      email,
      first_name: firstName,
      last_name: lastName,
      role: 'ADMIN',
      department_id: null,
      manager_id: null,
      site_id: null,
      country,
      region: null,
      employment_start_date: null,
      external_id: null,
      deactivated_at: null,
    });
    const key = await issueKey(trx, org.id, admin.id, 'First admin key (npm run admin)', SCOPES);
    await appendEvents(trx, [organizationEvent(org, 'created', null), userEvent(admin, 'created', null)]);
    return {
      lines: [
        `created organization "${org.name}" (${org.id}), ${country}, ${timeZone}, leave year from month ${month}`,
        `created its admin ${firstName} ${lastName} <${email}> (${admin.id})`,
        '',
        `admin API key (shown once, store it now): ${key.secret}`,
        '',
        `Use it in the X-Api-Key header; with it, create people, departments and more keys through the API.`,
      ],
      json: { created: true, organizationId: org.id, adminUserId: admin.id, apiKeyId: key.id, apiKey: key.secret },
    };
  });
}

async function listOrganizations(db: PeopleDb): Promise<AdminResult> {
  const rows = await db
    .selectFrom('organizations as o')
    .select((eb) => [
      'o.id',
      'o.name',
      'o.country',
      'o.time_zone',
      'o.sandbox_of',
      eb.selectFrom('users as u').select(eb.fn.countAll<string>().as('n')).whereRef('u.org_id', '=', 'o.id').where('u.deactivated_at', 'is', null).as('people'),
      eb.selectFrom('api_keys as k').select(eb.fn.countAll<string>().as('n')).whereRef('k.org_id', '=', 'o.id').where('k.revoked_at', 'is', null).as('keys'),
    ])
    .orderBy('o.created_at')
    .orderBy('o.id')
    .execute();
  const list = rows.map((r) => ({
    id: r.id,
    name: r.name,
    country: r.country,
    timeZone: r.time_zone,
    sandboxOf: r.sandbox_of,
    activePeople: Number(r.people ?? 0),
    liveApiKeys: Number(r.keys ?? 0),
  }));
  return {
    lines: list.length === 0
      ? ['no organizations yet: npm run admin -- create-organization --name <name> --country <CC> --admin-email <email>']
      : list.map((o) => `${o.id}  ${o.name}${o.sandboxOf ? ` (sandbox of ${o.sandboxOf})` : ''}  ${o.country}  ${o.timeZone}  ${o.activePeople} people  ${o.liveApiKeys} keys`),
    json: { organizations: list },
  };
}

async function createApiKey(db: PeopleDb, options: Options): Promise<AdminResult> {
  const orgId = required(options, 'organization').trim();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orgId)) throw new AdminInputError('--organization must be an organization id (a UUID): see list-organizations');
  const org = await db.selectFrom('organizations').select(['id', 'name']).where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new AdminInputError(`--organization ${orgId} is not an organization: see list-organizations`);
  const emailOption = optional(options, 'user-email');
  const email = emailOption === undefined ? undefined : check('user-email', () => requireEmail('user-email', emailOption));
  let users = db.selectFrom('users').select(['id', 'email', 'role']).where('org_id', '=', org.id).where('deactivated_at', 'is', null);
  users = email === undefined ? users.where('role', '=', 'ADMIN').orderBy('created_at').orderBy('id') : users.where('email', '=', email);
  const user = await users.executeTakeFirst();
  if (!user) throw new AdminInputError(email === undefined ? `organization ${org.id} has no active admin: give --user-email` : `--user-email ${email} is not an active user of ${org.id}`);
  const scopesText = optional(options, 'scopes');
  const scopes = scopesText === undefined ? [...SCOPES] : [...new Set(scopesText.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (scopes.length === 0) throw new AdminInputError('--scopes must name at least one scope');
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new AdminInputError(`--scopes: unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
  const name = check('name', () => requireText('name', optional(options, 'name') ?? 'Operator key (npm run admin)', 1, 100));
  const key = await db.transaction().execute((trx) => issueKey(trx, org.id, user.id, name, scopes));
  return {
    lines: [`API key "${name}" (${key.id}) of ${user.email} in "${org.name}", scopes ${scopes.join(' ')} (shown once, store it now):`, key.secret],
    json: { apiKeyId: key.id, apiKey: key.secret, organizationId: org.id, userId: user.id, scopes },
  };
}

/** Runs one command on `handle` (migrating the people and events schemas first). */
export async function runAdminCommand(handle: DatabaseHandle, command: string | undefined, options: Options): Promise<AdminResult> {
  if (command === undefined || command === 'help' || options['help'] === true) return { lines: [USAGE], json: { usage: USAGE } };
  if (!['create-organization', 'list-organizations', 'create-api-key'].includes(command)) throw new AdminInputError(`unknown command ${command}\n\n${USAGE}`);
  await migrateSchema(handle, EVENTS_SCHEMA, eventsMigrations);
  await migrateSchema(handle, PEOPLE_SCHEMA, peopleMigrations);
  const db = schemaDb<PeopleDatabase>(handle, PEOPLE_SCHEMA);
  if (command === 'create-organization') return createOrganization(db, options);
  if (command === 'list-organizations') return listOrganizations(db);
  return createApiKey(db, options);
}

const OPTION_NAMES = ['name', 'country', 'admin-email', 'admin-first-name', 'admin-last-name', 'time-zone', 'leave-year-start-month', 'organization', 'user-email', 'scopes'];

/** The command line: exit 0 on success, 2 on a refusal the operator can fix, 1 on anything else. */
async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...Object.fromEntries(OPTION_NAMES.map((n) => [n, { type: 'string' as const }])), json: { type: 'boolean' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    console.error(`admin: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...extra] = parsed.positionals;
  if (extra.length > 0) {
    console.error(`admin: unexpected argument ${extra[0]}\n\n${USAGE}`);
    return 2;
  }
  let handle: DatabaseHandle | null = null;
  try {
    if (command !== undefined && command !== 'help' && parsed.values.help !== true) handle = await openDatabase(readDatabaseConfig(process.env));
    const result = handle ? await runAdminCommand(handle, command, parsed.values) : { lines: [USAGE], json: { usage: USAGE } };
    console.log(parsed.values.json === true ? JSON.stringify(result.json) : result.lines.join('\n'));
    return 0;
  } catch (error) {
    if (error instanceof AdminInputError) {
      console.error(`admin: ${error.message}`);
      return 2;
    }
    console.error(`admin: ${startFailureReason(error)}`);
    return 1;
  } finally {
    await handle?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // The command's output is its stdout (a key, JSON): the services' progress lines (migrating...) stay out of it.
  if (!process.env['LOG_LEVEL']) logger.level = 'warn';
  process.exitCode = await main(process.argv.slice(2));
}
