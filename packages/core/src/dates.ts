// Calendar arithmetic in UTC, shared by the dashboard, the insights and the CRM's self-service
// rate: whole days, ISO weeks (Monday first) and their YYYY-MM-DD names.

export const DAY = 86_400_000;
export const WEEK = 7 * DAY;

/** Midnight UTC of the day `d` falls in. */
export const dayStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
/** Midnight UTC of the Monday of `d`'s ISO week. */
export const mondayOf = (d: Date) => new Date(dayStart(d).getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
/** YYYY-MM-DD (UTC). */
export const isoDate = (d: Date) => d.toISOString().slice(0, 10);
/** Midnight UTC of a YYYY-MM-DD day. */
export const parseDay = (day: string) => new Date(`${day}T00:00:00.000Z`);
