// Hours worked in bulk: one recordHoursWorkedBulk of 1,000 items (100 irregular-hours
// workers × 10 days) through the gateway, on PGlite and, with TEST_DATABASE_URL, on
// PostgreSQL. Prints the time of the request, the SQL statements it ran (all services) and
// per item, then how long leave takes to accrue the 1,000 events (leave is stopped during the
// request and started again after it, so the two are measured apart).
import { createTestOrg, startTestGraph } from '../helpers/graph.ts';
import { insertLeaveType } from '../../subgraphs/leave/db/repositories/leave-types.ts';

const PEOPLE = 100;
const DAYS = 10;

async function once(label: string): Promise<void> {
  let counting = false;
  let statements = 0;
  const graph = await startTestGraph({ now: () => new Date('2026-06-15T09:00:00Z'), onQuery: () => void (counting && statements++) });
  try {
    const org = await createTestOrg(graph.peopleDb);
    const workers = [];
    for (let i = 0; i < PEOPLE; i++) {
      workers.push(await org.addUser({ employmentType: 'IRREGULAR_HOURS', workingPattern: ['0', '0', '0', '0', '0', '0', '0'], externalId: `EMP-${String(i).padStart(4, '0')}` }));
    }
    await graph.time.catchUpDirectory();
    await graph.leave.catchUpDirectory();
    await insertLeaveType(graph.leaveDb, {
      org_id: org.id, name: 'Holiday', code: 'HOL', unit: 'HOURS', category: 'VACATION', paid: true, requires_approval: true, requires_document: false,
      requires_comment: false, half_days_allowed: false, deducts_from_allowance: true, allow_negative_balance: false, private: false, default_entitlement: '0',
    });
    const items: { externalUserId: string; date: string; hoursWorked: number }[] = [];
    for (let d = 1; d <= DAYS; d++) {
      for (let i = 0; i < PEOPLE; i++) items.push({ externalUserId: `EMP-${String(i).padStart(4, '0')}`, date: `2026-06-${String(d).padStart(2, '0')}`, hoursWorked: 4 + ((i + d) % 9) });
    }
    const query = 'mutation($items: [HoursWorkedInput!]!) { recordHoursWorkedBulk(input: { items: $items }) { processedCount failedCount totalCount } }';
    const send = async () => {
      const res = await graph.gql<{ recordHoursWorkedBulk: { processedCount: number; failedCount: number } }>(org.admin.key, query, { items });
      if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
      return res.body.data?.recordHoursWorkedBulk;
    };
    // Leave is stopped while the request runs, so its accrual consumer (which on PGlite shares
    // the one session) is measured on its own afterwards.
    const restartLeave = await graph.stopService('leave');
    statements = 0;
    counting = true;
    const started = performance.now();
    const result = await send();
    const elapsed = performance.now() - started;
    counting = false;
    const requestStatements = statements;
    // Starting leave catches its consumers up: that is the accrual of the 1,000 events.
    statements = 0;
    counting = true;
    const accrualStart = performance.now();
    await restartLeave();
    await graph.leave.services.catchUpAccruals(org.id);
    const accrualMs = performance.now() - accrualStart;
    counting = false;
    // The same batch again: every item UNCHANGED.
    const againStart = performance.now();
    await send();
    const againMs = performance.now() - againStart;
    console.log(
      `${label}: ${items.length} items -> ${result?.processedCount} processed, ${result?.failedCount} failed in ${elapsed.toFixed(0)} ms ` +
        `(${requestStatements} statements while the request ran, ${(requestStatements / items.length).toFixed(3)} per item, time and gateway); ` +
        `leave started again and accrued the 1,000 events in ${accrualMs.toFixed(0)} ms (${statements} statements); the same batch again (all UNCHANGED) ${againMs.toFixed(0)} ms`,
    );
  } finally {
    await graph.stop();
  }
}

export async function run(): Promise<void> {
  const url = process.env['TEST_DATABASE_URL'];
  delete process.env['TEST_DATABASE_URL'];
  await once('PGlite');
  if (url) {
    process.env['TEST_DATABASE_URL'] = url;
    await once('PostgreSQL');
  } else {
    console.log('PostgreSQL: skipped (set TEST_DATABASE_URL to run it there too)');
  }
}
