import type { Generated, Selectable } from 'kysely';

export type LocationType = 'ZONE' | 'BUILDING' | 'FLOOR' | 'ROOM' | 'RESIDENTIAL_BUILDING' | 'OUTDOOR_FACILITY' | 'GENERAL';
export type LocationState = 'ON_GROUNDS' | 'OFF_GROUNDS' | 'HOME';
export type LocationRecordType = 'CHECK_IN' | 'IN_TRANSIT';

export interface LocationsTable {
  id: string;
  org_id: string;
  parent_id: string | null;
  /** The root zone (the row itself for a zone). */
  zone_id: string;
  depth: number;
  type: LocationType;
  /** Only zones have one; others inherit their zone's. */
  state: LocationState | null;
  name: string;
  description: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type LocationRow = Selectable<LocationsTable>;
/** A location with its zone's state. */
export type LocationWithState = LocationRow & { zone_state: LocationState };

export interface LocationRecordsTable {
  id: Generated<string>;
  org_id: string;
  student_id: string;
  location_id: string;
  type: LocationRecordType;
  recorded_at: Date;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type LocationRecordRow = Selectable<LocationRecordsTable>;
