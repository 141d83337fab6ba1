import { describe, expect, it } from 'vitest';
import { Invalid } from '../errors.js';
import { addBusinessMinutes, businessMinutesBetween, validateCalendar, type Calendar } from './calendar.js';

const office: [string, string][] = [['09:00', '17:00']];
const berlin: Calendar = {
  timezone: 'Europe/Berlin',
  hours: { mon: office, tue: office, wed: office, thu: office, fri: office },
  holidays: [],
};
const at = (iso: string) => new Date(iso);
const add = (start: string, minutes: number, calendar: Calendar | null) => addBusinessMinutes(at(start), minutes, calendar).toISOString();

describe('24/7', () => {
  it('adds plain minutes with no calendar, or hours null and no holidays', () => {
    expect(add('2025-03-29T23:30:00.000Z', 120, null)).toBe('2025-03-30T01:30:00.000Z');
    expect(add('2025-03-29T23:30:00.000Z', 120, { timezone: 'Europe/Berlin', hours: null, holidays: [] })).toBe('2025-03-30T01:30:00.000Z');
    expect(businessMinutesBetween(at('2025-01-01T00:00:00Z'), at('2025-01-02T00:00:00Z'), null)).toBe(1440);
  });

  it('stops the clock on a holiday of a 24/7 team', () => {
    const cal: Calendar = { timezone: 'Europe/Berlin', hours: null, holidays: ['2025-12-25'] };
    // 22:00 Berlin on the 24th + 3 h: two hours that evening, Christmas closed, one hour after midnight on the 26th
    expect(add('2025-12-24T21:00:00.000Z', 180, cal)).toBe('2025-12-26T00:00:00.000Z');
    expect(businessMinutesBetween(at('2025-12-24T21:00:00Z'), at('2025-12-26T00:00:00Z'), cal)).toBe(180);
  });
});

describe('office hours in Europe/Berlin', () => {
  it('counts only within opening hours on the same day', () => {
    // Monday 10:00 Berlin (CEST, UTC+2) + 3 h = 13:00 local
    expect(add('2025-06-02T08:00:00.000Z', 180, berlin)).toBe('2025-06-02T11:00:00.000Z');
  });

  it('carries over the night into the next morning', () => {
    // Monday 16:00 local + 2 h: one hour Monday, one hour Tuesday from 09:00 → 10:00 local
    expect(add('2025-06-02T14:00:00.000Z', 120, berlin)).toBe('2025-06-03T08:00:00.000Z');
  });

  it('waits for opening when started before hours or at night', () => {
    expect(add('2025-06-02T04:00:00.000Z', 30, berlin)).toBe('2025-06-02T07:30:00.000Z');
    expect(add('2025-06-02T20:00:00.000Z', 30, berlin)).toBe('2025-06-03T07:30:00.000Z');
  });

  it('skips the weekend', () => {
    // Friday 16:30 local + 60 min: 30 min Friday, 30 min Monday
    expect(add('2025-06-06T14:30:00.000Z', 60, berlin)).toBe('2025-06-09T07:30:00.000Z');
    // Saturday noon + 8 h: all of Monday
    expect(add('2025-06-07T10:00:00.000Z', 480, berlin)).toBe('2025-06-09T15:00:00.000Z');
  });

  it('skips holidays', () => {
    const withHoliday = { ...berlin, holidays: ['2025-06-09'] };
    expect(add('2025-06-06T14:30:00.000Z', 60, withHoliday)).toBe('2025-06-10T07:30:00.000Z');
  });

  it('ends exactly at closing time rather than at the next opening', () => {
    expect(add('2025-06-02T07:00:00.000Z', 480, berlin)).toBe('2025-06-02T15:00:00.000Z');
  });

  it('uses split days (lunch break)', () => {
    const split: Calendar = { timezone: 'Europe/Berlin', hours: { mon: [['09:00', '12:00'], ['13:00', '17:00']] }, holidays: [] };
    // Monday 11:00 local + 2 h: 1 h before lunch, 1 h after → 14:00 local
    expect(add('2025-06-02T09:00:00.000Z', 120, split)).toBe('2025-06-02T12:00:00.000Z');
    // a week later for the eighth hour of that Monday
    expect(add('2025-06-02T07:00:00.000Z', 7 * 60 + 30, split)).toBe('2025-06-09T07:30:00.000Z');
  });

  it('follows daylight saving time: 09:00 local is 08:00 UTC in winter and 07:00 UTC in summer', () => {
    // Friday 28 March 2025 16:00 CET + 2 h → Monday 31 March 10:00 CEST (the clocks moved on Sunday)
    expect(add('2025-03-28T15:00:00.000Z', 120, berlin)).toBe('2025-03-31T08:00:00.000Z');
    // Friday 24 October 16:00 CEST + 2 h → Monday 27 October 10:00 CET
    expect(add('2025-10-24T14:00:00.000Z', 120, berlin)).toBe('2025-10-27T09:00:00.000Z');
  });

  it('counts 23 hours on the spring-forward Sunday and 25 on the fall-back one', () => {
    const sundays: Calendar = { timezone: 'Europe/Berlin', hours: { sun: [['00:00', '24:00']] }, holidays: [] };
    expect(businessMinutesBetween(at('2025-03-29T00:00:00Z'), at('2025-04-01T00:00:00Z'), sundays)).toBe(23 * 60);
    expect(businessMinutesBetween(at('2025-10-25T00:00:00Z'), at('2025-10-28T00:00:00Z'), sundays)).toBe(25 * 60);
  });

  it('measures open minutes between two instants, signed', () => {
    // Friday 16:00 → Monday 10:00 local: 1 h + 1 h
    const a = at('2025-06-06T14:00:00.000Z');
    const b = at('2025-06-09T08:00:00.000Z');
    expect(businessMinutesBetween(a, b, berlin)).toBe(120);
    expect(businessMinutesBetween(b, a, berlin)).toBe(-120);
    expect(businessMinutesBetween(a, a, berlin)).toBe(0);
  });

  it('is the inverse of addBusinessMinutes', () => {
    for (const start of ['2025-03-27T12:34:00.000Z', '2025-10-24T06:00:00.000Z', '2025-06-07T10:00:00.000Z']) {
      for (const minutes of [1, 59, 480, 2000, 10_000]) {
        const end = addBusinessMinutes(at(start), minutes, berlin);
        expect(businessMinutesBetween(at(start), end, berlin)).toBeCloseTo(minutes, 6);
      }
    }
  });
});

describe('America/New_York', () => {
  const ny: Calendar = { timezone: 'America/New_York', hours: { mon: [['08:00', '20:00']], sun: [['10:00', '14:00']] }, holidays: [] };

  it('follows the US change dates, which differ from Europe’s', () => {
    // Sunday 9 March 2025 (US clocks moved at 02:00): 10:00 EDT = 14:00 UTC
    expect(add('2025-03-09T06:00:00.000Z', 60, ny)).toBe('2025-03-09T15:00:00.000Z');
    // Monday 3 November (back on EST): 08:00 EST = 13:00 UTC
    expect(add('2025-11-02T19:00:00.000Z', 30, ny)).toBe('2025-11-03T13:30:00.000Z');
  });

  it('counts a range that spans the repeated hour at its real length', () => {
    const night: Calendar = { timezone: 'America/New_York', hours: { sun: [['00:00', '04:00']] }, holidays: [] };
    // 2 November 2025: 01:00–02:00 happens twice, so 00:00–04:00 local is five hours
    expect(businessMinutesBetween(at('2025-11-01T12:00:00Z'), at('2025-11-03T00:00:00Z'), night)).toBe(300);
  });
});

describe('validateCalendar', () => {
  const fieldsOf = (input: Parameters<typeof validateCalendar>[0]) => {
    try {
      validateCalendar(input);
    } catch (error) {
      expect(error).toBeInstanceOf(Invalid);
      return (error as Invalid).fields;
    }
    throw new Error('expected Invalid');
  };

  it('normalises a good calendar: ranges and holidays sorted, duplicates dropped', () => {
    expect(
      validateCalendar({ timezone: 'Asia/Tokyo', hours: { mon: [['13:00', '18:00'], ['08:00', '12:00']], sun: [] }, holidays: ['2025-12-31', '2025-01-01', '2025-12-31'] }),
    ).toEqual({ timezone: 'Asia/Tokyo', hours: { mon: [['08:00', '12:00'], ['13:00', '18:00']] }, holidays: ['2025-01-01', '2025-12-31'] });
    expect(validateCalendar({ timezone: 'UTC', hours: null, holidays: [] })).toEqual({ timezone: 'UTC', hours: null, holidays: [] });
  });

  it('names each bad field', () => {
    expect(
      fieldsOf({
        timezone: 'Mars/Olympus_Mons',
        hours: { mon: [['9:00', '17:00']], tue: [['17:00', '09:00']], wed: [['09:00', '12:00'], ['11:00', '14:00']], thu: [['09:00', '24:30']], fri: office },
        holidays: ['2025-02-30', '2025-06-01', 'tomorrow'],
      }),
    ).toEqual({
      timezone: expect.stringMatching(/time zone/),
      'hours.mon': expect.stringMatching(/HH:MM/),
      'hours.tue': expect.stringMatching(/ends before it starts/),
      'hours.wed': expect.stringMatching(/overlapping/),
      'hours.thu': expect.stringMatching(/HH:MM/),
      'holidays.0': expect.stringMatching(/not a date/),
      'holidays.2': expect.stringMatching(/not a date/),
    });
  });

  it('refuses a week with no hours, an unknown day and an equal start and end', () => {
    expect(fieldsOf({ timezone: 'UTC', hours: { mon: [], sat: [] }, holidays: [] })).toEqual({ hours: expect.stringMatching(/no opening hours/) });
    expect(fieldsOf({ timezone: 'UTC', hours: { funday: office } as never, holidays: [] })).toEqual({ 'hours.funday': expect.stringMatching(/not a weekday/) });
    expect(fieldsOf({ timezone: 'UTC', hours: { mon: [['09:00', '09:00']] }, holidays: [] })).toEqual({ 'hours.mon': expect.stringMatching(/ends before/) });
  });
});
