import Holidays from 'date-holidays';

/** A public holiday on one date. */
export interface PublicHolidayDay {
  readonly date: string;
  readonly name: string;
  readonly country: string;
  readonly region: string | null;
}

// Computing a year's holidays is costly next to a lookup: keep them per country, region and year.
const cache = new Map<string, Map<string, PublicHolidayDay>>();

function holidaysOfYear(country: string, region: string | null, year: number): Map<string, PublicHolidayDay> {
  const key = `${country}|${region ?? ''}|${year}`;
  let days = cache.get(key);
  if (!days) {
    days = new Map();
    // An unknown region falls back to the country's national holidays.
    const knownRegion = region !== null && new Holidays().getStates(country)?.[region] !== undefined;
    const calendar = knownRegion ? new Holidays(country, region) : new Holidays(country);
    for (const h of calendar.getHolidays(year) || []) {
      if (h.type !== 'public') continue;
      const date = h.date.slice(0, 10);
      if (!days.has(date)) days.set(date, { date, name: h.name, country, region: region ?? null });
    }
    cache.set(key, days);
  }
  return days;
}

/** Public holidays between `from` and `to` inclusive for a country (ISO alpha-2) and optional region, by date. */
export function publicHolidaysBetween(country: string, region: string | null, from: string, to: string): PublicHolidayDay[] {
  const result: PublicHolidayDay[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const day of holidaysOfYear(country, region, year).values()) {
      if (day.date >= from && day.date <= to) result.push(day);
    }
  }
  return result.sort((a, b) => a.date.localeCompare(b.date));
}

/** Whether the `date-holidays` data knows the country. */
export function isSupportedCountry(country: string): boolean {
  return new Holidays().getCountries()[country] !== undefined;
}
