import type { Identity } from '../../../shared/identity.ts';
import { createBoardingContext, type BoardingContext, type BoardingServices } from '../../context.ts';
import { locationResolvers } from '../../resolvers/locations.ts';
import { pastoralResolvers } from '../../resolvers/pastoral.ts';
import { rollResolvers } from '../../resolvers/rolls.ts';
import { studentLeaveResolvers } from '../../resolvers/student-leave.ts';
import { studentResolvers } from '../../resolvers/students.ts';
import type { BoardingDb } from '../database.ts';
import { countHouses } from '../repositories/houses.ts';

/** What the demo boarding seed did. */
export interface DemoBoarding {
  readonly created: boolean;
  readonly students: number;
}

const HOUSES = ['Kauri', 'Rimu', 'Totara'];
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
const FIRST = ['Aroha', 'Ben', 'Chloe', 'Daniel', 'Ella', 'Finn', 'Grace', 'Hemi', 'Isla', 'Jack', 'Kiri', 'Liam', 'Mia', 'Noah', 'Olivia', 'Piripi', 'Quinn', 'Ruby', 'Sam', 'Tama'];
const LAST = ['Anderson', 'Brown', 'Clarke', 'Davies', 'Evans', 'Fraser', 'Green', 'Harris', 'Ihaka', 'Jones', 'King', 'Lee', 'Martin', 'Ngata', 'Owen', 'Parata', 'Reid', 'Smith', 'Taylor', 'Walker'];

/**
 * Seeds a boarding school into the demo organization through the same resolvers as the
 * API (so every rule holds and every event is published): 3 houses, 60 students with
 * contacts and PINs, a location tree, a week of location records, rolls with marks,
 * pastoral records (some sensitive) and student leave in every status. Skipped when the
 * organization already has houses.
 */
export async function seedDemoBoarding(db: BoardingDb, services: BoardingServices, orgId: string, adminUserId: string): Promise<DemoBoarding> {
  if ((await countHouses(db, orgId, null)) > 0) return { created: false, students: 0 };
  const identity: Identity = { orgId, userId: adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  // A fresh context per write, as each API request gets one (loaders never serve stale rows).
  const ctx = (): BoardingContext => createBoardingContext(db, identity, services);
  const M = { ...studentResolvers.Mutation, ...locationResolvers.Mutation, ...pastoralResolvers.Mutation, ...rollResolvers.Mutation, ...studentLeaveResolvers.Mutation };
  const now = services.now();
  // A time `daysAgo` days back at `hour` UTC, never later than a minute ago (records and incidents cannot be in the future).
  const at = (daysAgo: number, hour: number) => new Date(Math.min(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, hour), now.getTime() - 60_000));

  const houses = [];
  for (const [i, name] of HOUSES.entries()) houses.push(await M.createHouse(null, { input: { name, sisId: `H${100 + i}` } }, ctx()));

  const students = [];
  for (let i = 0; i < 60; i++) {
    const house = pick(houses, i);
    const first = pick(FIRST, i);
    const last = pick(LAST, i * 7);
    const student = await M.createStudent(
      null,
      {
        input: {
          firstName: first,
          lastName: last,
          preferredName: i % 9 === 0 ? first.slice(0, 3) : null,
          birthDate: `${2008 + (i % 5)}-0${1 + (i % 9)}-1${i % 10}`,
          gender: i % 2 === 0 ? 'FEMALE' : 'MALE',
          email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@students.example.school`,
          mobilePhone: `+64 21 555 ${String(1000 + i)}`,
          dietInfo: i % 6 === 0 ? 'Vegetarian' : null,
          medicalInfo: i % 8 === 0 ? 'Asthma: inhaler in the house office' : null,
          referenceId: String(88000 + i),
          international: i % 10 === 0,
          studentType: i % 12 === 0 ? 'FLEXI_BOARDING' : 'BOARDING',
          yearLevel: String(9 + (i % 5)),
          roomNumber: String(1 + Math.floor(i / 6)),
          bedNumber: pick(['A', 'B', 'C', 'D', 'E', 'F'], i),
          pin: String(1000 + ((i * 37) % 9000)),
          sisId: `S${2000 + i}`,
          house: { id: house.id },
        },
      },
      ctx(),
    );
    students.push(student);
    for (const [relationship, title, parentFirst] of [['Mother', 'Mrs', 'Anna'], ['Father', 'Mr', 'Mark']] as const) {
      await M.createContact(
        null,
        {
          input: {
            student: { id: student.id },
            firstName: parentFirst,
            lastName: last,
            title,
            relationship,
            email: `${parentFirst.toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
            mobilePhone: `+64 27 555 ${String(2000 + i)}`,
            address: `${10 + i} Harbour Road, Wellington`,
            sisId: `C${2000 + i}-${relationship[0]}`,
          },
        },
        ctx(),
      );
    }
  }

  const loc = async (name: string, type: 'ZONE' | 'BUILDING' | 'ROOM' | 'RESIDENTIAL_BUILDING' | 'OUTDOOR_FACILITY' | 'GENERAL', parentId?: string, state?: 'ON_GROUNDS' | 'OFF_GROUNDS' | 'HOME') =>
    (await M.createLocation(null, { input: { name, type, parentId: parentId ?? null, state: state ?? null } }, ctx())).id;
  const onGrounds = await loc('On Grounds', 'ZONE', undefined, 'ON_GROUNDS');
  const offGrounds = await loc('Off Grounds', 'ZONE', undefined, 'OFF_GROUNDS');
  const home = await loc('Home', 'ZONE', undefined, 'HOME');
  const houseBuildings = [];
  for (const name of HOUSES) houseBuildings.push(await loc(`${name} House`, 'RESIDENTIAL_BUILDING', onGrounds));
  const english = await loc('English Block', 'BUILDING', onGrounds);
  const library = await loc('Library', 'ROOM', english);
  const gym = await loc('Gym', 'OUTDOOR_FACILITY', onGrounds);
  const museum = await loc('City Museum', 'GENERAL', offGrounds);

  // A week of whereabouts: mornings in class, afternoons at sport or the library, evenings in the house.
  const ids = (list: { id: string }[]) => list.map((s) => s.id);
  for (let day = 7; day >= 0; day--) {
    await M.moveStudents(null, { input: { students: { ids: ids(students) }, locationId: library, recordedAt: at(day, 9) } }, ctx());
    await M.moveStudents(null, { input: { students: { ids: ids(students.slice(0, 30)) }, locationId: gym, recordedAt: at(day, 15) } }, ctx());
    if (day % 3 === 0) await M.moveStudents(null, { input: { students: { ids: ids(students.slice(30, 40)) }, locationId: museum, type: 'IN_TRANSIT', recordedAt: at(day, 14) } }, ctx());
    for (const [h, building] of houseBuildings.entries()) {
      const members = students.filter((_, i) => i % 3 === h);
      if (day > 0 || now.getUTCHours() >= 19) await M.moveStudents(null, { input: { students: { ids: ids(members) }, locationId: building, recordedAt: at(day, 19) } }, ctx());
    }
  }

  // Student leave in every status.
  const weekend = (await M.createStudentLeaveType(null, { input: { name: 'Weekend Leave', shortCode: 'WL', description: 'Standard weekend leave' } }, ctx())).id;
  const sport = (await M.createStudentLeaveType(null, { input: { name: 'Sports Event', shortCode: 'SE', description: 'School sports event' } }, ctx())).id;
  const hour = 3_600_000;
  await M.createStudentLeave(null, { input: { students: { ids: ids(students.slice(0, 5)) }, leaveTypeId: weekend, startsAt: at(6, 16), endsAt: at(4, 18), locationId: home, note: 'Home for the weekend' } }, ctx());
  await M.createStudentLeave(null, { input: { students: { ids: ids(students.slice(5, 9)) }, leaveTypeId: weekend, startsAt: new Date(now.getTime() - 2 * hour), endsAt: new Date(now.getTime() + 46 * hour), locationId: home, note: 'Family visit' } }, ctx());
  await M.createStudentLeave(null, { input: { students: { ids: ids(students.slice(9, 12)) }, leaveTypeId: sport, startsAt: new Date(now.getTime() + 48 * hour), endsAt: new Date(now.getTime() + 56 * hour), locationId: museum, note: 'Regional athletics' } }, ctx());
  const [cancelled] = await M.createStudentLeave(null, { input: { students: { ids: ids(students.slice(12, 13)) }, leaveTypeId: weekend, startsAt: new Date(now.getTime() + 72 * hour), endsAt: new Date(now.getTime() + 96 * hour), locationId: home } }, ctx());
  if (cancelled) await M.cancelStudentLeave(null, { id: cancelled.id, input: { comment: 'Parents away' } }, ctx());

  // Rolls: an automatic evening roll per house for the week, a completed and an active manual roll.
  const rollType = await M.createRollType(null, { input: { name: 'House roll' } }, ctx());
  const emergency = await M.createRollType(null, { input: { name: 'Fire drill', codes: [{ name: 'Here', type: 'PRESENT' }, { name: 'Missing', type: 'ABSENT' }, { name: 'Excused', type: 'EXPLAINED_ABSENCE' }] } }, ctx());
  for (let day = 6; day >= 1; day--) {
    for (const house of houses) {
      await M.takeAutomaticRoll(null, { input: { rollTypeId: rollType.id, referenceLabel: `${house.name} evening roll`, studentFilters: { house: { id: house.id } }, startsAt: at(day, 20) } }, ctx());
    }
  }
  // Tomorrow evening's rolls, SCHEDULED until then: the boarding process takes them at their start.
  const tomorrowEvening = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 20));
  for (const house of houses) {
    await M.takeAutomaticRoll(null, { input: { rollTypeId: rollType.id, referenceLabel: `${house.name} evening roll`, studentFilters: { house: { id: house.id } }, startsAt: tomorrowEvening } }, ctx());
  }
  const drill = await M.startRoll(null, { input: { rollTypeId: emergency.id, type: 'EMERGENCY', referenceLabel: 'Term fire drill', startsAt: at(1, 10), lateAt: at(1, 10), endsAt: at(1, 11) } }, ctx());
  const marks = students.map((s, i) => ({ student: { id: s.id }, code: i % 15 === 0 ? 'Missing' : 'Here', note: i % 15 === 0 ? 'Found in the library' : null }));
  for (let i = 0; i < marks.length; i += 20) await M.markRoll(null, { input: { rollId: drill.id, marks: marks.slice(i, i + 20) } }, ctx());
  await M.completeRoll(null, { id: drill.id }, ctx());
  const morning = await M.startRoll(null, { input: { rollTypeId: rollType.id, referenceLabel: 'Kauri morning roll', studentFilters: { house: { id: pick(houses, 0).id } } } }, ctx());
  const kauri = students.filter((_, i) => i % 3 === 0);
  await M.markRoll(null, { input: { rollId: morning.id, marks: kauri.slice(0, 12).map((s, i) => ({ student: { id: s.id }, code: i === 3 ? 'Late' : 'Present' })) } }, ctx());

  // Pastoral care, some of it sensitive.
  const discipline = (await M.createPastoralCategory(null, { input: { name: 'Discipline' } }, ctx())).id;
  const merit = (await M.createPastoralCategory(null, { input: { name: 'Merit' } }, ctx())).id;
  const health = (await M.createPastoralCategory(null, { input: { name: 'Health' } }, ctx())).id;
  const wellbeing = (await M.createPastoralCategory(null, { input: { name: 'Wellbeing', parentId: health } }, ctx())).id;
  for (const [i, s] of students.entries()) {
    if (i % 4 === 0) await M.createPastoralRecord(null, { input: { student: { id: s.id }, categoryId: merit, occurredAt: at(i % 7, 12), description: 'Helped a new student settle in', points: 5 } }, ctx());
    if (i % 10 === 1) {
      await M.createPastoralRecord(
        null,
        { input: { student: { id: s.id }, categoryId: discipline, occurredAt: at(i % 7, 21), description: 'Out of the house after lights out', action: 'Spoke with the housemaster', points: -2, watchlist: true, watchlistExpiresAt: new Date(now.getTime() + 14 * 86_400_000), attachments: ['incident-note.pdf'] } },
        ctx(),
      );
    }
    if (i % 12 === 5) await M.createPastoralRecord(null, { input: { student: { id: s.id }, categoryId: wellbeing, occurredAt: at(i % 7, 16), description: 'Counselling session about family matters', sensitive: true } }, ctx());
    if (i % 15 === 2) await M.createPastoralRecord(null, { input: { student: { id: s.id }, categoryId: health, occurredAt: at(i % 7, 10), description: 'Blood nose at sport', action: 'Sent to the nurse' } }, ctx());
  }
  return { created: true, students: students.length };
}
