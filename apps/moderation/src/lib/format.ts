import type { Role } from '@forum/core/forum/types';

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A span of minutes as agents read it at a glance: "45 min", "3 h 20 min", "2 d 4 h".
 * `long` spells the units out for screen readers: "3 hours 20 minutes".
 */
export function formatDuration(minutes: number, style: 'short' | 'long' = 'short'): string {
  const m = Math.max(0, Math.floor(minutes));
  const unit = (n: number, short: string, long: string) => (style === 'short' ? `${n} ${short}` : plural(n, long));
  if (m < 1) return style === 'short' ? '< 1 min' : 'less than a minute';
  if (m < HOUR) return unit(m, 'min', 'minute');
  if (m < DAY) {
    const h = Math.floor(m / HOUR);
    const rest = m % HOUR;
    return rest ? `${unit(h, 'h', 'hour')} ${unit(rest, 'min', 'minute')}` : unit(h, 'h', 'hour');
  }
  const d = Math.floor(m / DAY);
  const h = Math.floor((m % DAY) / HOUR);
  return h ? `${unit(d, 'd', 'day')} ${unit(h, 'h', 'hour')}` : unit(d, 'd', 'day');
}

/** A Retry-After wait in words: "45 seconds", "3 minutes". */
export function formatWait(seconds: number): string {
  if (seconds < 90) return plural(Math.max(1, Math.ceil(seconds)), 'second');
  return plural(Math.ceil(seconds / 60), 'minute');
}

/** "just now", "12 min ago", "3 h ago", "4 d ago", then the date. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const minutes = Math.floor((now - then) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < HOUR) return `${minutes} min ago`;
  if (minutes < DAY) return `${Math.floor(minutes / HOUR)} h ago`;
  if (minutes < 30 * DAY) return `${Math.floor(minutes / DAY)} d ago`;
  return formatDate(iso);
}

const dateFormat = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateTimeFormat.format(date);
}

const ROLE_LABELS: Record<Role, string> = {
  member: 'Member',
  agent: 'Agent',
  supervisor: 'Supervisor',
  admin: 'Admin',
  product: 'Product',
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? role;
}

export function initials(name: string): string {
  const parts = name.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

/** A same-site path to return to after logging in; anything else (other hosts, //evil) becomes "/". */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return '/';
  return next;
}

/**
 * An SLA clock in words. Open items: "2 h 10 min left" or "breached by 15 min". Resolved ones
 * (`minutesLeft` taken at the resolution): "met with 3 h to spare" or "breached by 15 min".
 */
export function formatSla(minutesLeft: number, resolved = false): string {
  if (minutesLeft < 0) return `breached by ${formatDuration(-minutesLeft)}`;
  return resolved ? `met with ${formatDuration(minutesLeft)} to spare` : `${formatDuration(minutesLeft)} left`;
}

/** How an SLA clock looks: breached (red), under an hour left (amber), or fine. */
export function slaLevel(minutesLeft: number): 'ok' | 'soon' | 'breached' {
  if (minutesLeft < 0) return 'breached';
  return minutesLeft < HOUR ? 'soon' : 'ok';
}
