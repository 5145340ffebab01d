import { sql, type Kysely } from 'kysely';

/**
 * A row of a subgraph's local directory (organizations, departments, users from people's
 * events): its organization, and the outbox id of the snapshot it holds.
 */
export interface DirectorySnapshotRow {
  readonly org_id: string;
  readonly last_event_id: number;
}

/** A Kysely over tables of directory rows, as each subgraph's schema-bound Kysely can be seen. */
type DirectoryKysely = Kysely<Record<string, Record<string, unknown>>>;

/**
 * Inserts `row` into the directory `table`, or, when a row with the same `key` exists,
 * replaces every column but the key and the organization with the snapshot's, only when the
 * snapshot is newer (`last_event_id`) than what the row holds: replaying or reordering
 * events can never move a directory backwards. One statement. Every subgraph's directory
 * (leave, time, boarding) applies people's snapshots through this.
 */
export async function upsertNewerSnapshot<DB, Row extends DirectorySnapshotRow>(
  db: Kysely<DB>,
  table: keyof DB & string,
  key: keyof Row & ('id' | 'org_id'),
  row: Row,
): Promise<void> {
  const values = { ...row } as unknown as Record<string, unknown>;
  const updated = Object.keys(values).filter((column) => column !== key && column !== 'org_id');
  const name: string = table;
  await (db as unknown as DirectoryKysely)
    .insertInto(name)
    .values(values)
    .onConflict((oc) =>
      oc
        .column(key)
        .doUpdateSet((eb) => Object.fromEntries(updated.map((column) => [column, eb.ref(`excluded.${column}`)])))
        .where(`${name}.last_event_id`, '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}
