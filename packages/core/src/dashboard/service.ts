import { isStaff, type Ctx } from '../context.js';
import { DAY, dayStart, isoDate, mondayOf } from '../dates.js';
import { Invalid } from '../errors.js';
import type { UserRef } from '../forum/types.js';
import { authorize } from '../policy/index.js';
import * as q from './queries.js';
import { addTo, percentiles, type Histogram } from './histogram.js';
import { ensureDays } from './rollup.js';
import type { AgentDashboard, AgentLoad, ByReason, Csat, Dashboard, DashboardBucket, DashboardPeriod, Durations } from './types.js';

export { ensureDashboardRollupScheduled, refreshDays, rollupJobHandlers, ROLLUP_JOB } from './rollup.js';
export { listQaReviews, sampleQaWeek, scoreQaReview, ensureQaSampleScheduled, qaJobHandlers, QA_JOB, weekStartOf } from './qa.js';

/** the longest ranges one request may ask for */
export const DASHBOARD_MAX_BUCKETS = { day: 92, week: 104 } as const;
/** the default ranges: the last 14 days, the last 12 ISO weeks (each including the current one) */
export const DASHBOARD_DEFAULT_BUCKETS = { day: 14, week: 12 } as const;

export interface DashboardQuery {
  period?: DashboardPeriod;
  /** YYYY-MM-DD (UTC); for weeks, any day of the first week */
  from?: string;
  /** YYYY-MM-DD (UTC), inclusive; for weeks, any day of the last week */
  to?: string;
}

interface ResolvedRange extends q.Range {
  starts: string[];
}


function parseDate(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || isoDate(date) !== value) throw new Invalid({ [field]: 'must be a date, YYYY-MM-DD' });
  return date;
}

/** The buckets a query asks for, in UTC; Invalid for an unknown period, bad dates, or a range too long. */
function resolveRange(input: DashboardQuery, now: Date): ResolvedRange {
  const unit = input.period ?? 'day';
  if (unit !== 'day' && unit !== 'week') throw new Invalid({ period: 'must be day or week' });
  const step = unit === 'day' ? DAY : 7 * DAY;
  const align = unit === 'day' ? dayStart : mondayOf;
  const parsedTo = parseDate(input.to, 'to');
  const parsedFrom = parseDate(input.from, 'from');
  const last = align(parsedTo ?? (parsedFrom ? new Date(parsedFrom.getTime() + (DASHBOARD_DEFAULT_BUCKETS[unit] - 1) * step) : now));
  const first = parsedFrom ? align(parsedFrom) : new Date(last.getTime() - (DASHBOARD_DEFAULT_BUCKETS[unit] - 1) * step);
  if (first > last) throw new Invalid({ from: 'must be on or before to' });
  const count = Math.round((last.getTime() - first.getTime()) / step) + 1;
  if (count > DASHBOARD_MAX_BUCKETS[unit]) throw new Invalid({ from: `the range may span at most ${DASHBOARD_MAX_BUCKETS[unit]} ${unit}s` });
  const starts = Array.from({ length: count }, (_, i) => isoDate(new Date(first.getTime() + i * step)));
  return { unit, from: first, to: new Date(last.getTime() + step), now, starts };
}

const round1 = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
const durations = (row: Record<string, unknown> | undefined, prefix: string): Durations => ({
  median: round1(row?.[`${prefix}_median`] as number | null),
  p90: round1(row?.[`${prefix}_p90`] as number | null),
  count: Number(row?.[`${prefix}_count`] ?? 0),
});
const reasons = (row: Partial<ByReason> | undefined): ByReason => ({
  unanswered: Number(row?.unanswered ?? 0),
  flagged: Number(row?.flagged ?? 0),
  requested: Number(row?.requested ?? 0),
  rule: Number(row?.rule ?? 0),
});
const csat = (row: q.CsatRow | undefined): Csat => ({ average: row?.average == null ? null : Math.round(Number(row.average) * 100) / 100, count: Number(row?.count ?? 0) });
const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** Rows keyed by bucket start; the whole range's row under ''. */
function byBucket<T extends { bucket: string | null }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.bucket ?? '', r]));
}

const userRef = (u: { id: number; handle: string; display_name: string; role: UserRef['role'] }): UserRef => ({
  id: u.id,
  handle: u.handle,
  displayName: u.display_name,
  role: u.role,
  staff: isStaff(u.role),
});

/** A bucket's (or the range's) days summed. */
interface Sum {
  incoming: number;
  answered: number;
  agentAnswered: number;
  opened: ByReason;
  resolved: { agent: number; assisted: number; community: number };
  peer: Histogram;
  firstResponse: Histogram;
  resolution: Histogram;
  slaBreaches: number;
  flags: { raised: number; handled: number };
  csat: [number, number, number, number, number];
  /** the last stored day's queue at its end */
  queue: ByReason | null;
}

const emptySum = (): Sum => ({
  incoming: 0,
  answered: 0,
  agentAnswered: 0,
  opened: reasons(undefined),
  resolved: { agent: 0, assisted: 0, community: 0 },
  peer: new Map(),
  firstResponse: new Map(),
  resolution: new Map(),
  slaBreaches: 0,
  flags: { raised: 0, handled: 0 },
  csat: [0, 0, 0, 0, 0],
  queue: null,
});

/** Adds one day (rows come in date order, so the last stored day's queue wins). */
function add(s: Sum, d: q.DayRow): void {
  s.incoming += d.incoming;
  s.answered += d.answered;
  s.agentAnswered += d.agent_answered;
  s.opened.unanswered += d.opened_unanswered;
  s.opened.flagged += d.opened_flagged;
  s.opened.requested += d.opened_requested;
  s.opened.rule += d.opened_rule;
  s.resolved.agent += d.resolved_agent;
  s.resolved.assisted += d.resolved_assisted;
  s.resolved.community += d.resolved_community;
  addTo(s.peer, d.peer_minutes, d.peer_counts);
  addTo(s.firstResponse, d.first_response_minutes, d.first_response_counts);
  addTo(s.resolution, d.resolution_minutes, d.resolution_counts);
  s.slaBreaches += d.sla_breaches;
  s.flags.raised += d.flags_raised;
  s.flags.handled += d.flags_handled;
  d.csat_scores.forEach((n, i) => (s.csat[i] += Number(n)));
  if (d.queue_unanswered !== null) s.queue = reasons({ unanswered: d.queue_unanswered, flagged: d.queue_flagged!, requested: d.queue_requested!, rule: d.queue_rule! });
}

const rounded = (p: ReturnType<typeof percentiles>): Durations => ({ median: round1(p.median), p90: round1(p.p90), count: p.count });

function present(s: Sum) {
  const selfServed = s.answered - s.agentAnswered;
  return {
    incoming: s.incoming,
    selfServed,
    selfServiceRate: rate(selfServed, s.incoming),
    queueOpened: { ...s.opened },
    resolved: { ...s.resolved },
    firstPeerReply: rounded(percentiles(s.peer)),
    firstAgentResponse: rounded(percentiles(s.firstResponse)),
    resolution: rounded(percentiles(s.resolution)),
    slaBreaches: s.slaBreaches,
    flags: { ...s.flags },
  };
}

function csatOf(counts: [number, number, number, number, number]): { counts: [number, number, number, number, number]; csat: Csat } {
  const count = counts.reduce((a, b) => a + b, 0);
  const sum = counts.reduce((a, n, i) => a + n * (i + 1), 0);
  return { counts: [...counts], csat: { average: count ? Math.round((sum / count) * 100) / 100 : null, count } };
}

/**
 * The supervisor's dashboard (supervisors and admins; Forbidden for agents, who have
 * getMyDashboard, and for members). Per UTC day (default: the last 14) or ISO week (default: the
 * last 12), with totals over the range, the queue now and per-agent load. Invalid for an unknown
 * period, a malformed date or a range over 92 days / 104 weeks. Finished days come from the
 * daily rollups (rollup.ts; a finished day with no row yet is computed and stored first), today
 * is computed live. Writes no audit rows and emits nothing.
 *
 * Self-service rate: of the threads created in the bucket (deleted ones left out), the share
 * that the community answered or solved — status answered or solved now, or before it was
 * closed — and that have no queue item an agent resolved by answering (resolution 'agent').
 * Items an agent resolved by assisting a peer (verifying a peer's answer, nudging an expert)
 * still count as self-served, and are shown apart as `resolved.assisted`: "solved with no agent
 * step-in" in the UI.
 */
export async function getDashboard(ctx: Ctx, input: DashboardQuery = {}): Promise<Dashboard> {
  authorize(ctx.actor, 'console.access', null);
  authorize(ctx.actor, 'dashboard.view', null);
  const r = resolveRange(input, ctx.now());
  const today = dayStart(r.now);
  await ensureDays(ctx.db, r.from, r.to < today ? r.to : today, r.now);
  const [days, agentRows, openNow, now] = await Promise.all([
    q.dayRows(ctx.db, r, today),
    q.agentTotals(ctx.db, r, today),
    q.openByAgent(ctx.db),
    q.queueNow(ctx.db, r.now),
  ]);

  // Days summed per bucket and over the range; the queue at a bucket's end is its last stored
  // day's, the queue now for the bucket holding today, and after today as the bucket before.
  const current = isoDate(r.unit === 'week' ? mondayOf(today) : today);
  const sums = new Map<string, Sum>(r.starts.map((start) => [start, emptySum()]));
  const total = emptySum();
  for (const day of days) {
    const start = r.unit === 'week' ? isoDate(mondayOf(new Date(`${day.day}T00:00:00Z`))) : day.day;
    const into = sums.get(start);
    if (into) add(into, day);
    add(total, day);
  }
  let size: ByReason = reasons(undefined);
  const buckets: DashboardBucket[] = r.starts.map((start) => {
    const x = sums.get(start)!;
    if (start === current) size = reasons(now);
    else if (x.queue) size = x.queue;
    return { start, ...present(x), queueSize: { ...size }, csat: csatOf(x.csat).csat };
  });
  const totalCsat = csatOf(total.csat);

  const byAgent = new Map(agentRows.map((x) => [x.agent_id, x]));
  const holding = new Map(openNow.map((x) => [x.agent_id, x.open]));
  const staff = await q.staffRefs(ctx.db, [...new Set([...byAgent.keys(), ...holding.keys()])]);
  const agents: AgentLoad[] = staff.map((u) => ({
    agent: userRef(u),
    assigned: Number(byAgent.get(u.id)?.assigned ?? 0),
    resolved: Number(byAgent.get(u.id)?.resolved ?? 0),
    assisted: Number(byAgent.get(u.id)?.assisted ?? 0),
    openNow: holding.get(u.id) ?? 0,
  }));

  return {
    period: r.unit,
    timezone: 'UTC',
    from: r.starts[0],
    to: isoDate(new Date(r.to.getTime() - DAY)),
    generatedAt: r.now.toISOString(),
    buckets,
    totals: { ...present(total), csat: { ...totalCsat.csat, distribution: totalCsat.counts } },
    queueNow: { open: now.open, byReason: reasons(now), breached: now.breached },
    agents,
  };
}

/**
 * The acting staff member's own numbers (any staff; Forbidden for members): per bucket their
 * claims and assignments, items they resolved by answering or assisting, and CSAT on the items
 * they resolved; in all, what they hold now, their time to resolution and their QA average.
 * Same range rules and errors as getDashboard. Reads only.
 */
export async function getMyDashboard(ctx: Ctx, input: DashboardQuery = {}): Promise<AgentDashboard> {
  const actor = authorize(ctx.actor, 'console.access', null);
  authorize(actor, 'dashboard.view_own', null);
  const r = resolveRange(input, ctx.now());
  const [claims, resolved, csatRows, openNow, qa] = await Promise.all([
    q.assignments(ctx.db, r, actor.id),
    q.resolvedStats(ctx.db, r, actor.id),
    q.csatStats(ctx.db, r, actor.id),
    q.openByAgent(ctx.db),
    q.qaAverage(ctx.db, actor.id),
  ]);
  const a = new Map(claims.map((x) => [x.bucket ?? '', x.assigned]));
  const rs = byBucket(resolved.filter((x) => Number(x.by_agent) === 0));
  const c = byBucket(csatRows);
  return {
    period: r.unit,
    timezone: 'UTC',
    from: r.starts[0],
    to: isoDate(new Date(r.to.getTime() - DAY)),
    agent: { id: actor.id, handle: actor.handle, displayName: actor.displayName, role: actor.role, staff: true },
    buckets: r.starts.map((start) => ({
      start,
      assigned: a.get(start) ?? 0,
      resolved: Number(rs.get(start)?.agent ?? 0),
      assisted: Number(rs.get(start)?.assisted ?? 0),
      csat: csat(c.get(start)),
    })),
    totals: {
      assigned: a.get('') ?? 0,
      resolved: Number(rs.get('')?.agent ?? 0),
      assisted: Number(rs.get('')?.assisted ?? 0),
      openNow: openNow.find((x) => x.agent_id === actor.id)?.open ?? 0,
      resolution: durations(rs.get('') as unknown as Record<string, unknown>, 'res'),
      csat: csat(c.get('')),
      qaAverage: qa.average == null ? null : Math.round(Number(qa.average) * 100) / 100,
      qaScored: Number(qa.scored),
    },
  };
}
