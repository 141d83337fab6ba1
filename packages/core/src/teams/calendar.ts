import { Invalid } from '../errors.js';
import type { WeeklyHours } from './schema.js';

// Business-hours maths for SLA clocks. Pure functions over instants (Date) and a team calendar:
// opening hours are local wall-clock ranges in an IANA time zone, so an instant is turned into
// local parts (and back) with Intl.DateTimeFormat, which knows every zone's DST rules.

export type Weekday = keyof WeeklyHours;
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A team's calendar. `hours` null: open around the clock (holidays still close it). */
export interface Calendar {
  timezone: string;
  hours: WeeklyHours | null;
  holidays: readonly string[];
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How far the maths looks for open hours before it gives up (a calendar that never opens). */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

export function isTimeZone(timezone: string): boolean {
  if (!timezone || timezone.length > 64) return false;
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(at: number, timezone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timezone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year, month: out.month, day: out.day, hour: out.hour % 24, minute: out.minute, second: out.second };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +2 h). */
function offsetAt(at: number, timezone: string): number {
  const p = localParts(at, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant of a local wall-clock time. A time that a spring-forward skips (02:30 in Berlin on
 * the last Sunday of March) comes out as the instant the clocks jumped past it; a time that a
 * fall-back repeats comes out as its first occurrence.
 */
function localToInstant(dayUtc: number, minuteOfDay: number, timezone: string): number {
  const wall = dayUtc + minuteOfDay * MINUTE;
  const first = wall - offsetAt(wall, timezone);
  const second = wall - offsetAt(first, timezone);
  if (first === second) return first;
  // The offset changed between the guesses: pick the reading that maps back to the wall time,
  // the earlier one if both do, and for a skipped time the later (post-jump) instant.
  const back = (t: number) => t + offsetAt(t, timezone) === wall;
  if (back(first) && back(second)) return Math.min(first, second);
  if (back(first)) return first;
  if (back(second)) return second;
  return Math.max(first, second);
}

const parseHm = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
const isoDay = (dayUtc: number) => new Date(dayUtc).toISOString().slice(0, 10);
const weekdayOf = (dayUtc: number): Weekday => WEEKDAYS[(new Date(dayUtc).getUTCDay() + 6) % 7];

const ALL_DAY: [string, string][] = [['00:00', '24:00']];

/** The open intervals [from, to) of one local day (given as its UTC midnight), as instants. */
function openIntervals(dayUtc: number, calendar: Calendar, holidays: Set<string>): Array<[number, number]> {
  if (holidays.has(isoDay(dayUtc))) return [];
  const ranges = calendar.hours ? (calendar.hours[weekdayOf(dayUtc)] ?? []) : ALL_DAY;
  return ranges.map(([s, e]) => [localToInstant(dayUtc, parseHm(s), calendar.timezone), localToInstant(dayUtc, parseHm(e), calendar.timezone)]);
}

/** UTC midnight of the local date the instant falls on in the zone. */
function localDayOf(at: number, timezone: string): number {
  const p = localParts(at, timezone);
  return Date.UTC(p.year, p.month - 1, p.day);
}

const aroundTheClock = (calendar: Calendar | null): calendar is null => !calendar || (!calendar.hours && calendar.holidays.length === 0);

/**
 * The instant `minutes` of open time after `start`. Outside opening hours the clock waits for
 * the next opening; with no calendar (or a 24/7 one without holidays) it is plain addition.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: Calendar | null): Date {
  if (aroundTheClock(calendar)) return new Date(start.getTime() + minutes * MINUTE);
  let left = minutes * MINUTE;
  let cursor = start.getTime();
  const holidays = new Set(calendar.holidays);
  // the day before too: a range of the previous local day may still be open at `start`
  let day = localDayOf(cursor, calendar.timezone) - DAY;
  for (let i = 0; i < MAX_DAYS; i++, day += DAY) {
    for (const [from, to] of openIntervals(day, calendar, holidays)) {
      if (to <= cursor) continue;
      const begin = Math.max(from, cursor);
      if (begin + left <= to) return new Date(begin + left);
      left -= to - begin;
      cursor = to;
    }
  }
  throw new Invalid({ hours: 'has no opening hours in the next three years' }, 'This calendar never opens');
}

/**
 * Open time between two instants, in minutes (fractions kept); negative when `b` is before `a`.
 */
export function businessMinutesBetween(a: Date, b: Date, calendar: Calendar | null): number {
  if (b < a) return -businessMinutesBetween(b, a, calendar);
  if (aroundTheClock(calendar)) return (b.getTime() - a.getTime()) / MINUTE;
  const [from, to] = [a.getTime(), b.getTime()];
  const holidays = new Set(calendar.holidays);
  const last = localDayOf(to, calendar.timezone);
  let total = 0;
  for (let day = localDayOf(from, calendar.timezone) - DAY; day <= last; day += DAY) {
    for (const [open, close] of openIntervals(day, calendar, holidays)) {
      const overlap = Math.min(close, to) - Math.max(open, from);
      if (overlap > 0) total += overlap;
    }
  }
  return total / MINUTE;
}

// ---------------------------------------------------------------------------------------------
// Validation

const HM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const HOLIDAYS_MAX = 366;
export const RANGES_PER_DAY_MAX = 6;

function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return isoDay(d.getTime()) === value;
}

/**
 * Checks a calendar from the console and returns it normalised (ranges sorted, holidays sorted
 * and unique). Invalid with a field per problem: `timezone`, `hours.mon` (bad HH:MM, end not
 * after start, overlapping ranges), `hours` (a week with no hours at all), `holidays.2`.
 * Ranges are [start, end) within one day: overnight ranges are two ranges on two days.
 */
export function validateCalendar(input: { timezone: string; hours: WeeklyHours | null; holidays: readonly string[] }): Calendar {
  const fields: Record<string, string> = {};
  if (!isTimeZone(input.timezone)) fields.timezone = `is not a known IANA time zone (e.g. Europe/Berlin)`;
  let hours: WeeklyHours | null = null;
  if (input.hours) {
    hours = {};
    let open = 0;
    for (const [key, ranges] of Object.entries(input.hours)) {
      if (!(WEEKDAYS as readonly string[]).includes(key)) {
        fields[`hours.${key}`] = `is not a weekday (use ${WEEKDAYS.join(', ')})`;
        continue;
      }
      const day = key as Weekday;
      if (!Array.isArray(ranges)) {
        fields[`hours.${day}`] = 'must be a list of [start, end] ranges';
        continue;
      }
      if (ranges.length > RANGES_PER_DAY_MAX) {
        fields[`hours.${day}`] = `may have at most ${RANGES_PER_DAY_MAX} ranges`;
        continue;
      }
      const bad = ranges.find((r) => !Array.isArray(r) || r.length !== 2 || !HM.test(String(r[0])) || !HM.test(String(r[1])));
      if (bad) {
        fields[`hours.${day}`] = `has a time that is not HH:MM (00:00–24:00): ${JSON.stringify(bad)}`;
        continue;
      }
      const sorted = [...ranges].sort((x, y) => parseHm(x[0]) - parseHm(y[0])).map(([s, e]) => [s, e] as [string, string]);
      const backwards = sorted.find(([s, e]) => parseHm(e) <= parseHm(s));
      if (backwards) {
        fields[`hours.${day}`] = `has a range that ends before it starts: ${backwards[0]}–${backwards[1]} (split overnight hours over two days)`;
        continue;
      }
      const overlap = sorted.findIndex((r, i) => i > 0 && parseHm(r[0]) < parseHm(sorted[i - 1][1]));
      if (overlap !== -1) {
        fields[`hours.${day}`] = `has overlapping ranges: ${sorted[overlap - 1].join('–')} and ${sorted[overlap].join('–')}`;
        continue;
      }
      if (sorted.length) hours[day] = sorted;
      open += sorted.length;
    }
    if (open === 0 && !Object.keys(fields).some((f) => f.startsWith('hours.'))) fields.hours = 'has no opening hours on any day; use null for a 24/7 team';
  }
  if (input.holidays.length > HOLIDAYS_MAX) fields.holidays = `may list at most ${HOLIDAYS_MAX} dates`;
  else input.holidays.forEach((h, i) => {
    if (!isIsoDate(h)) fields[`holidays.${i}`] = `is not a date (YYYY-MM-DD): ${JSON.stringify(h).slice(0, 40)}`;
  });
  if (Object.keys(fields).length) throw new Invalid(fields, 'This calendar is not valid');
  return { timezone: input.timezone, hours, holidays: [...new Set(input.holidays)].sort() };
}
