// `npm start`: the whole graph in one process on embedded PGlite (or DATABASE_URL), with
// demo data. Every subgraph still serves HTTP on its own port and the gateway reaches it
// over HTTP, exactly as in production.
import fs from 'node:fs';
import path from 'node:path';
import { readGatewayConfig } from './gateway/config.ts';
import { startGatewayServer } from './gateway/server.ts';
import { dataDir, host, identitySecret, intVar, readDatabaseConfig } from './subgraphs/shared/config.ts';
import { openDatabase, schemaDb } from './subgraphs/shared/database.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase } from './subgraphs/people/db/database.ts';
import { seedDemoOrganization } from './subgraphs/people/db/seed/demo-organization.ts';
import { ensureDemoApiKey } from './subgraphs/people/demo-api-key.ts';
import { startPeopleServer } from './subgraphs/people/server.ts';
import { startLeaveServer } from './subgraphs/leave/server.ts';
import { exitOnStartFailure, stopOnSignals } from './subgraphs/shared/process.ts';
import { readDocumentSettings } from './subgraphs/leave/config.ts';
import { seedDemoLeave, seedDemoToilLeave } from './subgraphs/leave/db/seed/demo-leave.ts';
import { LEAVE_SCHEMA, type LeaveDatabase } from './subgraphs/leave/db/database.ts';
import { startTimeServer } from './subgraphs/time/server.ts';
import { seedDemoTime } from './subgraphs/time/db/seed/demo-time.ts';
import { TIME_SCHEMA, type TimeDatabase } from './subgraphs/time/db/database.ts';
import { startBoardingServer } from './subgraphs/boarding/server.ts';
import { seedDemoBoarding } from './subgraphs/boarding/db/seed/demo-boarding.ts';
import { BOARDING_SCHEMA, type BoardingDatabase } from './subgraphs/boarding/db/database.ts';
import { startWebhooksServer } from './subgraphs/webhooks/server.ts';

const startUp = exitOnStartFailure('leave graph');
const env = process.env;
const started = Date.now();
const databaseConfig = readDatabaseConfig(env);
const database = await openDatabase(databaseConfig);
const secret = identitySecret(env, false);
const bind = host(env);

const gatewayConfig = readGatewayConfig({ ...env, IDENTITY_SECRET: secret }, { requireSecret: true });
const publicUrl = env['PUBLIC_URL'] ?? `http://localhost:${gatewayConfig.port}`;
const people = await startPeopleServer({
  database,
  identitySecret: secret,
  port: intVar(env, 'PEOPLE_PORT', 0, 0, 65535),
  host: bind,
  // The limits the gateway enforces, so that people refuses key limits above them.
  requestLimits: { perHour: gatewayConfig.rateLimits.requestsPerHour, byOrganization: gatewayConfig.requestsPerHourByOrganization },
});
const leave = await startLeaveServer({
  database,
  identitySecret: secret,
  port: intVar(env, 'LEAVE_PORT', 0, 0, 65535),
  host: bind,
  documents: readDocumentSettings({ ...env, PUBLIC_URL: publicUrl }, secret),
});
const time = await startTimeServer({ database, identitySecret: secret, port: intVar(env, 'TIME_PORT', 0, 0, 65535), host: bind });
const boarding = await startBoardingServer({ database, identitySecret: secret, port: intVar(env, 'BOARDING_PORT', 0, 0, 65535), host: bind });

// Embedded mode delivers to local receivers unless WEBHOOKS_ALLOW_INSECURE=false; production services never do by default.
const webhooksInsecure = env['WEBHOOKS_ALLOW_INSECURE'] !== 'false';
const webhooks = await startWebhooksServer({
  database,
  identitySecret: secret,
  port: intVar(env, 'WEBHOOKS_PORT', 0, 0, 65535),
  host: bind,
  allowInsecure: webhooksInsecure,
});

const peopleDb = schemaDb<PeopleDatabase>(database, PEOPLE_SCHEMA);
const demo = env['DEMO_SEED'] === 'false' ? null : await seedDemoOrganization(peopleDb);
const demoKey = demo ? await ensureDemoApiKey(peopleDb, demo.orgId, demo.adminUserId, path.join(dataDir(env), 'demo-api-key')) : null;
if (demo) {
  // Leave learns the demo people from people's events, then gets its own year of demo leave.
  await leave.catchUpDirectory();
  const seeded = await seedDemoLeave(schemaDb<LeaveDatabase>(database, LEAVE_SCHEMA), leave.services, demo.orgId, demo.adminUserId);
  if (seeded.created) console.log(`seeded demo leave: ${JSON.stringify(seeded.requests)} requests by status`);
  await time.catchUpDirectory();
  const seededTime = await seedDemoTime(schemaDb<TimeDatabase>(database, TIME_SCHEMA), time.services, demo.orgId, demo.adminUserId);
  if (seededTime.created) console.log(`seeded demo time: ${JSON.stringify(seededTime.submissions)} overtime submissions by status, ${seededTime.hoursWorkedDays} days of hours worked`);
  // Leave learns the TOIL those approvals earned from time's events, then some of it is taken as leave.
  await leave.catchUpToil();
  const toilLeave = await seedDemoToilLeave(schemaDb<LeaveDatabase>(database, LEAVE_SCHEMA), leave.services, demo.orgId, demo.adminUserId);
  if (toilLeave.created) console.log(`seeded demo TOIL leave: ${JSON.stringify(toilLeave.requests)} requests by status`);
  await time.catchUpToilUses();
  await leave.catchUpToil();
  // Boarding learns the demo staff the same way, then gets its boarding school (in the same organization).
  await boarding.catchUpDirectory();
  const school = await seedDemoBoarding(schemaDb<BoardingDatabase>(database, BOARDING_SCHEMA), boarding.services, demo.orgId, demo.adminUserId);
  if (school.created) console.log(`seeded demo boarding school: ${school.students} students in 3 houses`);
}

const gateway = await startGatewayServer({
  ...gatewayConfig,
  supergraphSdl: fs.readFileSync(gatewayConfig.supergraphPath, 'utf8'),
  subgraphUrls: { people: `${people.url}/graphql`, leave: `${leave.url}/graphql`, time: `${time.url}/graphql`, boarding: `${boarding.url}/graphql`, webhooks: `${webhooks.url}/graphql` },
  database,
});

const shown = gateway.url.replace('://127.0.0.1', '://localhost');
console.log(`
The leave graph is running (${((Date.now() - started) / 1000).toFixed(1)} s, ${databaseConfig.url ? 'PostgreSQL' : `PGlite in ${databaseConfig.dataDir}`}).

  GraphQL endpoint   ${shown}/graphql
  Apollo Sandbox     ${shown}/graphql${demoKey ? `#key=${demoKey}` : ''}
  GraphiQL (offline) ${shown}/graphiql${demoKey ? `#key=${demoKey}` : ''}
  Health / ready     ${shown}/health  ${shown}/ready
  Subgraphs          people ${people.url}/graphql, leave ${leave.url}/graphql, time ${time.url}/graphql, boarding ${boarding.url}/graphql, webhooks ${webhooks.url}/graphql (signed requests from the gateway only)
${demoKey ? `\n  Demo admin API key (Northwind Trading): ${demoKey}\n\n  curl -s ${shown}/graphql -H 'content-type: application/json' -H 'x-api-key: ${demoKey}' \\\n    -d '{"query":"{ me { name } users(first: 5) { totalCount nodes { name department { name } manager { name } } } }"}'\n` : ''}
${webhooksInsecure ? '  Webhooks           WEBHOOKS_ALLOW_INSECURE is on (development): endpoints may use http and local addresses\n' : ''}
Press Ctrl-C to stop.`);
startUp();

stopOnSignals(async () => {
  console.log('\nstopping...');
  await gateway.stop();
  await webhooks.stop();
  await boarding.stop();
  await time.stop();
  await leave.stop();
  await people.stop();
  await database.close();
});
