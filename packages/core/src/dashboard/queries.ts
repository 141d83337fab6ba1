import type { Role } from '../forum/types.js';
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { DashboardPeriod } from './types.js';

// The dashboard's read models. A finished UTC day's numbers are computed once into
// dashboard_daily / dashboard_agent_daily (`dailyRows`, `agentDailyRows`, stored by `storeDays`)
// and recomputed by the `dashboard.rollup` job while late changes can still arrive; a request
// reads those rows for the finished days of its range and computes today's row live with the
// very same SQL, so a stored day and a live one cannot disagree. Durations are stored as every
// case's minutes, so the median and 90th percentile of a week or a whole range are exact, not
// averages of days. The live parts read one day through an index: threads by created_at,
// queue items by opened_at, resolved_at (queue_items_resolved_idx), due_at or open (the partial
// open indexes), flags and CSAT answers by created_at, claims from the audit log by created_at.
//
// The per-agent views (getMyDashboard) read the agent's own rows live: resolvedStats, csatStats,
// assignments below.

export interface Range {
  unit: DashboardPeriod;
  /** start of the first bucket */
  from: Date;
  /** end of the last bucket (exclusive) */
  to: Date;
  now: Date;
}

// The unit is 'day' or 'week' (checked by the service), so it can be spelled into the SQL.
const unitOf = (unit: DashboardPeriod) => sql.raw(`'${unit === 'week' ? 'week' : 'day'}'`);
const bucket = (unit: DashboardPeriod, column: SQL) => sql`to_char(date_trunc(${unitOf(unit)}, ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;
const dayOf = (column: SQL) => sql`(${column} at time zone 'UTC')::date`;
const minutesBetween = (later: SQL, earlier: SQL) => sql`(extract(epoch from ${later} - ${earlier}) / 60.0)::float8`;
const percentiles = (value: SQL, prefix: string) => sql`
  percentile_cont(0.5) within group (order by ${value}) as ${sql.raw(`${prefix}_median`)},
  percentile_cont(0.9) within group (order by ${value}) as ${sql.raw(`${prefix}_p90`)},
  count(${value})::int as ${sql.raw(`${prefix}_count`)}`;
const REASONS = ['unanswered', 'flagged', 'requested', 'rule'] as const;
// Per reason: an item with two reasons counts under both.
const byReason = (column: string, measure = 'count(*)', prefix = '') =>
  sql.raw(REASONS.map((r) => `coalesce(${measure} filter (where '${r}' = any(${column})), 0)::int as ${prefix}${r}`).join(', '));
// Durations are kept to two significant digits (47 min, 1,300 min; 0 for a negative one), each
// distinct value with how many cases had it: a day's few hundred cases become a few dozen pairs,
// so a 12-week range merges in milliseconds. A median or 90th percentile computed from them is
// within 5 % of the exact one (the rounding's worst case, just above a power of ten; about 1 %
// typically), and exact when every case has at most two significant digits (30 min, 1,200 min).
const rounded = (value: SQL) => sql`(case when ${value} <= 0 then 0::float8 else round(${value}::numeric, 1 - floor(log(${value}::numeric))::int)::float8 end)`;
const collect = (value: SQL, when: SQL) => sql`array_agg(${rounded(value)}) filter (where ${when})`;
/** The distinct values of an array of durations, ascending, and how many times each occurs. */
const histogram = (values: string, name: string) =>
  sql.raw(`left join lateral (
      select coalesce(array_agg(z.v order by z.v), '{}') as ${name}_minutes, coalesce(array_agg(z.n order by z.v), '{}') as ${name}_counts
      from (select u as v, count(*)::int as n from unnest(${values}) u group by u) z
    ) ${name} on true`);
const answered = sql`(t.status in ('answered', 'solved') or (t.status = 'closed' and t.status_before_close in ('answered', 'solved')))`;

/** A row per bucket (`bucket` set) and one for the whole range (`bucket` null). */
type Grouped<T> = T & { bucket: string | null };

/** The columns of dashboard_daily, in order, after `day` and `computed_at`. */
const DAILY_COLUMNS = [
  'incoming', 'answered', 'agent_answered', 'peer_minutes', 'peer_counts',
  'opened_unanswered', 'opened_flagged', 'opened_requested', 'opened_rule', 'first_response_minutes', 'first_response_counts',
  'resolved_agent', 'resolved_assisted', 'resolved_community', 'resolution_minutes', 'resolution_counts',
  'sla_breaches', 'flags_raised', 'flags_handled', 'csat_scores',
  'queue_unanswered', 'queue_flagged', 'queue_requested', 'queue_rule',
] as const;

/**
 * Every dashboard_daily column for each UTC day in [from, to) (whole days), as known at `now`.
 * Cohorts are by the day they began: threads by creation (self-service, first peer reply),
 * items by opening (reasons, first staff reply), flags by raising (handled since); events by
 * the day they happened: resolutions, CSAT answers, SLA breaches by due time (an open item only
 * once its due time passed). The queue's size at each day's end is the items open when the
 * range began plus, day by day, those opened minus those resolved.
 */
function dailyRows(from: Date, to: Date, now: Date, withQueue = true): SQL {
  return sql`
    with days as (
      select d::date as day from generate_series(${dayOf(sql`${from}::timestamptz`)}, ${dayOf(sql`${to}::timestamptz`)} - 1, interval '1 day') d
    ), t as (
      select ${dayOf(sql`t.created_at`)} as day, count(*)::int as incoming, count(*) filter (where ${answered})::int as answered,
             ${collect(minutesBetween(sql`t.first_peer_reply_at`, sql`t.created_at`), sql`t.first_peer_reply_at is not null`)} as peer
      from threads t
      where t.created_at >= ${from} and t.created_at < ${to} and t.deleted_at is null
      group by 1
    ), aa as (
      -- resolved after its thread was created: the resolved index is read from the range's start only
      select ${dayOf(sql`t.created_at`)} as day, count(distinct t.id)::int as n
      from queue_items qi join threads t on t.id = qi.thread_id
      where qi.status = 'resolved' and qi.resolved_at >= ${from} and qi.resolution = 'agent'
        and t.created_at >= ${from} and t.created_at < ${to} and t.deleted_at is null and ${answered}
      group by 1
    ), o as (
      select ${dayOf(sql`qi.opened_at`)} as day, ${byReason('qi.reasons')},
             ${collect(minutesBetween(sql`qi.first_agent_response_at`, sql`qi.opened_at`), sql`qi.first_agent_response_at is not null`)} as far
      from queue_items qi
      where qi.opened_at >= ${from} and qi.opened_at < ${to}
      group by 1
    ), r as (
      select ${dayOf(sql`qi.resolved_at`)} as day,
             count(*) filter (where qi.resolution = 'agent')::int as agent,
             count(*) filter (where qi.resolution = 'assisted')::int as assisted,
             count(*) filter (where qi.resolution = 'community')::int as community,
             ${collect(minutesBetween(sql`qi.resolved_at`, sql`qi.opened_at`), sql`qi.resolution in ('agent', 'assisted')`)} as res,
             ${byReason('qi.reasons', 'count(*)', 'closed_')}
      from queue_items qi
      where qi.status = 'resolved' and qi.resolved_at >= ${from} and qi.resolved_at < ${to}
      group by 1
    ), b as (
      select ${dayOf(sql`x.due_at`)} as day, count(*)::int as n
      from (
        select qi.due_at from queue_items qi
        where qi.status = 'resolved' and qi.resolved_at >= ${from} and qi.resolved_at > qi.due_at and qi.due_at >= ${from} and qi.due_at < ${to}
        union all
        select qi.due_at from queue_items qi
        where qi.status <> 'resolved' and qi.due_at >= ${from} and qi.due_at < least(${to}::timestamptz, ${now}::timestamptz)
      ) x
      group by 1
    ), f as (
      select ${dayOf(sql`f.created_at`)} as day, count(*)::int as raised, count(*) filter (where f.status <> 'open')::int as handled
      from flags f where f.created_at >= ${from} and f.created_at < ${to}
      group by 1
    ), c as (
      select ${dayOf(sql`c.created_at`)} as day,
             array[count(*) filter (where c.score = 1), count(*) filter (where c.score = 2), count(*) filter (where c.score = 3),
                   count(*) filter (where c.score = 4), count(*) filter (where c.score = 5)]::int[] as scores
      from csat_responses c where c.created_at >= ${from} and c.created_at < ${to}
      group by 1
    ), base as (
      ${withQueue ? openAt(from) : sql`select null::int as unanswered, null::int as flagged, null::int as requested, null::int as rule`}
    )
    select to_char(days.day, 'YYYY-MM-DD') as day,
      coalesce(t.incoming, 0) as incoming, coalesce(t.answered, 0) as answered, coalesce(aa.n, 0) as agent_answered,
      peer.peer_minutes, peer.peer_counts,
      coalesce(o.unanswered, 0) as opened_unanswered, coalesce(o.flagged, 0) as opened_flagged,
      coalesce(o.requested, 0) as opened_requested, coalesce(o.rule, 0) as opened_rule,
      first_response.first_response_minutes, first_response.first_response_counts,
      coalesce(r.agent, 0) as resolved_agent, coalesce(r.assisted, 0) as resolved_assisted, coalesce(r.community, 0) as resolved_community,
      resolution.resolution_minutes, resolution.resolution_counts,
      coalesce(b.n, 0) as sla_breaches, coalesce(f.raised, 0) as flags_raised, coalesce(f.handled, 0) as flags_handled,
      coalesce(c.scores, '{0,0,0,0,0}') as csat_scores,
      ${sql.raw(
        REASONS.map((x) => `(base.${x} + sum(coalesce(o.${x}, 0) - coalesce(r.closed_${x}, 0)) over (order by days.day))::int as queue_${x}`).join(',\n      '),
      )}
    from days
    left join t on t.day = days.day
    left join aa on aa.day = days.day
    left join o on o.day = days.day
    left join r on r.day = days.day
    left join b on b.day = days.day
    left join f on f.day = days.day
    left join c on c.day = days.day
    cross join base
    ${histogram('t.peer', 'peer')}
    ${histogram('o.far', 'first_response')}
    ${histogram('r.res', 'resolution')}`;
}

/** Items open at `at`, per reason (the reasons they have now). */
function openAt(at: Date): SQL {
  return sql`
      select ${byReason('s.reasons')}
      from (
        select qi.reasons from queue_items qi where qi.status <> 'resolved' and qi.opened_at < ${at}
        union all
        select qi.reasons from queue_items qi where qi.status = 'resolved' and qi.resolved_at >= ${at} and qi.opened_at < ${at}
      ) s`;
}

/** Per agent and UTC day in [from, to): claims and assignments received, items resolved by answering and by assisting. */
function agentDailyRows(from: Date, to: Date): SQL {
  const actions = sql.join(ASSIGNMENT_ACTIONS.map((a) => sql`${a}`), sql`, `);
  return sql`
    select to_char(x.day, 'YYYY-MM-DD') as day, x.agent_id, sum(x.assigned)::int as assigned, sum(x.resolved)::int as resolved, sum(x.assisted)::int as assisted
    from (
      select ${dayOf(sql`a.created_at`)} as day, coalesce((a.data -> 'after' ->> 'claimedById')::int, a.actor_id) as agent_id,
             1 as assigned, 0 as resolved, 0 as assisted
      from audit_log a
      where a.created_at >= ${from} and a.created_at < ${to} and a.subject_type = 'queue_item' and a.action in (${actions})
      union all
      select ${dayOf(sql`qi.resolved_at`)}, qi.resolved_by_id, 0, (qi.resolution = 'agent')::int, (qi.resolution = 'assisted')::int
      from queue_items qi
      where qi.status = 'resolved' and qi.resolved_at >= ${from} and qi.resolved_at < ${to} and qi.resolved_by_id is not null
    ) x
    where x.agent_id is not null
    group by x.day, x.agent_id`;
}

/** The finished days in [from, to) that have no stored row yet, ascending. */
export async function missingDays(db: Executor, from: Date, to: Date): Promise<string[]> {
  if (to <= from) return [];
  const { rows } = await db.execute<{ day: string }>(sql`
    select to_char(d::date, 'YYYY-MM-DD') as day
    from generate_series(${dayOf(sql`${from}::timestamptz`)}, ${dayOf(sql`${to}::timestamptz`)} - 1, interval '1 day') d
    where not exists (select 1 from dashboard_daily x where x.day = d::date)
    order by 1`);
  return rows.map((r) => r.day);
}

/** Days in [from, to) whose stored row was computed before `before` (or is missing), ascending. */
export async function staleDays(db: Executor, from: Date, to: Date, before: Date): Promise<string[]> {
  const { rows } = await db.execute<{ day: string }>(sql`
    select to_char(d::date, 'YYYY-MM-DD') as day
    from generate_series(${dayOf(sql`${from}::timestamptz`)}, ${dayOf(sql`${to}::timestamptz`)} - 1, interval '1 day') d
    left join dashboard_daily x on x.day = d::date
    where x.day is null or x.computed_at < ${before}
    order by 1`);
  return rows.map((r) => r.day);
}

/** Serialises writers of the stored days, for the rest of the transaction. */
export async function lockDays(db: Executor): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('dashboard_daily'))`);
}

/**
 * Computes and stores the rows of every day in [from, to) (whole, finished UTC days), replacing
 * what was stored. Serialised by an advisory lock, so two at once cannot interleave their
 * per-agent rows.
 */
export async function storeDays(db: Executor, from: Date, to: Date, now: Date): Promise<void> {
  await lockDays(db);
  const columns = sql.raw(DAILY_COLUMNS.join(', '));
  await db.execute(sql`
    insert into dashboard_daily (day, computed_at, ${columns})
    select x.day::date, ${now}, ${sql.raw(DAILY_COLUMNS.map((c) => `x.${c}`).join(', '))} from (${dailyRows(from, to, now)}) x
    on conflict (day) do update set computed_at = excluded.computed_at, ${sql.raw(DAILY_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', '))}`);
  await db.execute(sql`delete from dashboard_agent_daily where day >= ${dayOf(sql`${from}::timestamptz`)} and day < ${dayOf(sql`${to}::timestamptz`)}`);
  await db.execute(sql`
    insert into dashboard_agent_daily (day, agent_id, assigned, resolved, assisted)
    select x.day::date, x.agent_id, x.assigned, x.resolved, x.assisted from (${agentDailyRows(from, to)}) x
    join users u on u.id = x.agent_id
    on conflict (day, agent_id) do update set assigned = excluded.assigned, resolved = excluded.resolved, assisted = excluded.assisted`);
}

export type DayRow = {
  day: string;
  incoming: number;
  answered: number;
  agent_answered: number;
  peer_minutes: number[];
  peer_counts: number[];
  opened_unanswered: number;
  opened_flagged: number;
  opened_requested: number;
  opened_rule: number;
  first_response_minutes: number[];
  first_response_counts: number[];
  resolved_agent: number;
  resolved_assisted: number;
  resolved_community: number;
  resolution_minutes: number[];
  resolution_counts: number[];
  sla_breaches: number;
  flags_raised: number;
  flags_handled: number;
  csat_scores: number[];
  /** open items at the day's end, per reason; null on today's row (the queue now stands for it) */
  queue_unanswered: number | null;
  queue_flagged: number | null;
  queue_requested: number | null;
  queue_rule: number | null;
};

/**
 * A row per day of the range: the stored ones for the finished days in [r.from, today), and
 * today's computed live when the range holds it (without the queue's size: the queue now is
 * read apart). At most 92 + 1 rows of a few hundred numbers each; the service sums them per
 * bucket and merges their duration histograms.
 */
export async function dayRows(db: Executor, r: Range, today: Date): Promise<DayRow[]> {
  const storedTo = r.to < today ? r.to : today;
  const live = r.from <= today && today < r.to;
  // The histograms travel as comma-separated text: the driver's parser for float8[] costs more
  // than everything else in a 12-week request.
  const select = (from: string) =>
    sql.raw(DAILY_COLUMNS.map((c) => (HISTOGRAM_COLUMNS.has(c) ? `array_to_string(${from}.${c}, ',') as ${c}` : `${from}.${c}`)).join(', '));
  const { rows } = await db.execute<Record<string, unknown>>(sql`
    select to_char(s.day, 'YYYY-MM-DD') as day, ${select('s')} from dashboard_daily s
    where s.day >= ${dayOf(sql`${r.from}::timestamptz`)} and s.day < ${dayOf(sql`${storedTo}::timestamptz`)}
    ${live ? sql`union all select l.day, ${select('l')} from (${dailyRows(today, new Date(today.getTime() + 86_400_000), r.now, false)}) l` : sql``}
    order by 1`);
  for (const row of rows) for (const c of HISTOGRAM_COLUMNS) row[c] = row[c] ? String(row[c]).split(',').map(Number) : [];
  return rows as DayRow[];
}

const HISTOGRAM_COLUMNS = new Set<string>(['peer_minutes', 'peer_counts', 'first_response_minutes', 'first_response_counts', 'resolution_minutes', 'resolution_counts']);

export type AgentTotalsRow = { agent_id: number; assigned: number; resolved: number; assisted: number };

/** Per agent over the range: stored days, and today live when the range holds it. */
export async function agentTotals(db: Executor, r: Range, today: Date): Promise<AgentTotalsRow[]> {
  const storedTo = r.to < today ? r.to : today;
  const live = r.from <= today && today < r.to;
  const { rows } = await db.execute<AgentTotalsRow>(sql`
    select x.agent_id, sum(x.assigned)::int as assigned, sum(x.resolved)::int as resolved, sum(x.assisted)::int as assisted
    from (
      select s.agent_id, s.assigned, s.resolved, s.assisted from dashboard_agent_daily s
      where s.day >= ${dayOf(sql`${r.from}::timestamptz`)} and s.day < ${dayOf(sql`${storedTo}::timestamptz`)}
      ${live ? sql`union all select l.agent_id, l.assigned, l.resolved, l.assisted from (${agentDailyRows(today, new Date(today.getTime() + 86_400_000))}) l` : sql``}
    ) x
    group by x.agent_id`);
  return rows;
}

export type ResolvedRow = {
  agent_id: number | null;
  /** 1 on the per-agent rows */
  by_agent: number;
  agent: number;
  assisted: number;
  community: number;
  res_median: number | null;
  res_p90: number | null;
  res_count: number;
};

/**
 * Queue items resolved in the range: per bucket, per resolving agent and in all, by resolution,
 * with opened → resolved for the agent track's resolutions (answered or assisted).
 */
export async function resolvedStats(db: Executor, r: Range, agentId?: number): Promise<Grouped<ResolvedRow>[]> {
  const { rows } = await db.execute<Grouped<ResolvedRow>>(sql`
    select x.b as bucket, x.resolved_by_id as agent_id,
      (case when grouping(x.resolved_by_id) = 0 then 1 else 0 end) as by_agent,
      count(*) filter (where x.resolution = 'agent')::int as agent,
      count(*) filter (where x.resolution = 'assisted')::int as assisted,
      count(*) filter (where x.resolution = 'community')::int as community,
      ${percentiles(sql`x.took`, 'res')}
    from (
      select ${bucket(r.unit, sql`qi.resolved_at`)} as b, qi.resolved_by_id, qi.resolution,
             case when qi.resolution in ('agent', 'assisted') then ${minutesBetween(sql`qi.resolved_at`, sql`qi.opened_at`)} end as took
      from queue_items qi
      where qi.status = 'resolved' and qi.resolved_at >= ${r.from} and qi.resolved_at < ${r.to}
        ${agentId === undefined ? sql`` : sql`and qi.resolved_by_id = ${agentId}`}
    ) x
    group by grouping sets ((x.b), (x.resolved_by_id), ())`);
  return rows;
}

/**
 * The open queue now, per reason, and how many items are past their SLA due time. Counted per
 * combination of reasons (a handful), then per reason here: cheaper than testing each reason
 * on every open item.
 */
export async function queueNow(db: Executor, now: Date) {
  const { rows } = await db.execute<{ reasons: string[]; open: number; breached: number }>(sql`
    select qi.reasons, count(*)::int as open, count(*) filter (where qi.due_at < ${now})::int as breached
    from queue_items qi where qi.status <> 'resolved'
    group by qi.reasons`);
  const result = { open: 0, breached: 0, unanswered: 0, flagged: 0, requested: 0, rule: 0 };
  for (const row of rows) {
    result.open += row.open;
    result.breached += row.breached;
    for (const reason of REASONS) if (row.reasons.includes(reason)) result[reason] += row.open;
  }
  return result;
}

export type CsatRow = {
  count: number;
  average: number | null;
  s1: number;
  s2: number;
  s3: number;
  s4: number;
  s5: number;
};

/** CSAT answers given in the range (optionally only on items `agentId` resolved): count, mean, 1–5 distribution. */
export async function csatStats(db: Executor, r: Range, agentId?: number): Promise<Grouped<CsatRow>[]> {
  const { rows } = await db.execute<Grouped<CsatRow>>(sql`
    select x.b as bucket, count(*)::int as count, avg(x.score)::float8 as average,
      count(*) filter (where x.score = 1)::int as s1, count(*) filter (where x.score = 2)::int as s2,
      count(*) filter (where x.score = 3)::int as s3, count(*) filter (where x.score = 4)::int as s4,
      count(*) filter (where x.score = 5)::int as s5
    from (
      select ${bucket(r.unit, sql`c.created_at`)} as b, c.score from csat_responses c
      ${agentId === undefined ? sql`` : sql`join queue_items qi on qi.id = c.item_id and qi.resolved_by_id = ${agentId}`}
      where c.created_at >= ${r.from} and c.created_at < ${r.to}
    ) x
    group by grouping sets ((x.b), ())`);
  return rows;
}

/**
 * Audit actions that hand an item's claim to an agent: their own claim, a supervisor's
 * assignment, automatic assignment. The holder is `data.after.claimedById` (the queue's audit
 * snapshot), or the actor when a row does not say.
 */
export const ASSIGNMENT_ACTIONS = ['queue.claimed', 'queue.assigned', 'queue.auto_assigned'];

/** Claims and assignments in the range, per bucket and agent (optionally one agent). */
export async function assignments(db: Executor, r: Range, agentId?: number): Promise<Array<{ bucket: string | null; agent_id: number; assigned: number }>> {
  const actions = sql.join(ASSIGNMENT_ACTIONS.map((a) => sql`${a}`), sql`, `);
  const { rows } = await db.execute<{ bucket: string | null; agent_id: number; assigned: number }>(sql`
    select x.b as bucket, x.agent_id, count(*)::int as assigned
    from (
      select ${bucket(r.unit, sql`a.created_at`)} as b,
             coalesce((a.data -> 'after' ->> 'claimedById')::int, a.actor_id) as agent_id
      from audit_log a
      where a.created_at >= ${r.from} and a.created_at < ${r.to} and a.subject_type = 'queue_item'
        and a.action in (${actions})
    ) x
    where x.agent_id is not null ${agentId === undefined ? sql`` : sql`and x.agent_id = ${agentId}`}
    group by grouping sets ((x.b, x.agent_id), (x.agent_id))`);
  return rows;
}

/** Open items each agent holds now (queue_items_claimed_by_idx). */
export async function openByAgent(db: Executor): Promise<Array<{ agent_id: number; open: number }>> {
  const { rows } = await db.execute<{ agent_id: number; open: number }>(sql`
    select qi.claimed_by_id as agent_id, count(*)::int as open
    from queue_items qi where qi.status <> 'resolved' and qi.claimed_by_id is not null
    group by qi.claimed_by_id`);
  return rows;
}

/** Staff to list on the dashboard: those given as active, and every agent with a profile. */
export async function staffRefs(db: Executor, ids: number[]) {
  const { rows } = await db.execute<{ id: number; handle: string; display_name: string; role: Role }>(sql`
    select u.id, u.handle, u.display_name, u.role from users u
    where u.role <> 'member' and (u.id = any(${`{${ids.join(',')}}`}::int[]) or u.id in (select p.user_id from agent_profiles p))
    order by u.display_name, u.id`);
  return rows;
}

/** The agent's QA reviews that are scored: how many, and the mean of their totals. */
export async function qaAverage(db: Executor, agentId: number) {
  const { rows } = await db.execute<{ average: number | null; scored: number }>(sql`
    select avg(q.total)::float8 as average, count(*)::int as scored from qa_reviews q
    where q.agent_id = ${agentId} and q.scored_at is not null`);
  return rows[0];
}

// ---------------------------------------------------------------------------------------------
// QA sample

/** Serialises draws of one week's sample, so two at once cannot both top an agent up. */
export async function lockQaWeek(db: Executor, weekStart: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('qa_reviews'), hashtext(${weekStart}))`);
}

export async function countQaWeek(db: Executor, weekStart: string): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from qa_reviews where week_start = ${weekStart}::date`);
  return rows[0].n;
}

/**
 * Draws up to `perAgent` random items per agent for the week: resolved in it by that agent
 * answering or assisting, not sampled before; an agent who already has reviews that week is only
 * topped up to `perAgent`. Returns the reviews added.
 */
export async function drawQaSample(db: Executor, weekStart: string, perAgent: number, now: Date) {
  const { rows } = await db.execute<{ id: number; item_id: number; agent_id: number }>(sql`
    with have as (
      select agent_id, count(*)::int as n from qa_reviews where week_start = ${weekStart}::date group by agent_id
    ), candidates as (
      select qi.id, qi.resolved_by_id as agent_id,
             row_number() over (partition by qi.resolved_by_id order by random()) as n
      from queue_items qi
      where qi.status = 'resolved' and qi.resolution in ('agent', 'assisted') and qi.resolved_by_id is not null
        and qi.resolved_at >= ${weekStart}::date and qi.resolved_at < ${weekStart}::date + 7
        and not exists (select 1 from qa_reviews r where r.item_id = qi.id)
    )
    insert into qa_reviews (item_id, agent_id, week_start, sampled_at)
    select c.id, c.agent_id, ${weekStart}::date, ${now} from candidates c left join have h on h.agent_id = c.agent_id
    where c.n <= ${perAgent} - coalesce(h.n, 0)
    on conflict (item_id) do nothing
    returning id, item_id, agent_id`);
  return rows;
}

export type QaReviewRow = {
  id: number;
  week_start: string;
  sampled_at: Date;
  scores: Record<string, number> | null;
  total: number | null;
  comment: string | null;
  scored_at: Date | null;
  agent_id: number;
  agent_handle: string;
  agent_name: string;
  agent_role: Role;
  reviewer_id: number | null;
  reviewer_handle: string | null;
  reviewer_name: string | null;
  reviewer_role: Role | null;
  item_id: number;
  thread_id: number;
  thread_title: string;
  reasons: string[];
  resolution: 'agent' | 'assisted';
  opened_at: Date;
  resolved_at: Date;
};

/** QA reviews with their agent, reviewer, item and thread; newest week first. */
export async function listQaRows(db: Executor, filter: { agentId?: number; weekStart?: string; id?: number; limit: number }): Promise<QaReviewRow[]> {
  const { rows } = await db.execute<QaReviewRow>(sql`
    select r.id, to_char(r.week_start, 'YYYY-MM-DD') as week_start, r.sampled_at, r.scores, r.total, r.comment, r.scored_at,
           a.id as agent_id, a.handle as agent_handle, a.display_name as agent_name, a.role as agent_role,
           v.id as reviewer_id, v.handle as reviewer_handle, v.display_name as reviewer_name, v.role as reviewer_role,
           qi.id as item_id, qi.thread_id, t.title as thread_title, qi.reasons, qi.resolution, qi.opened_at, qi.resolved_at
    from qa_reviews r
    join users a on a.id = r.agent_id
    left join users v on v.id = r.reviewer_id
    join queue_items qi on qi.id = r.item_id
    join threads t on t.id = qi.thread_id
    where true
      ${filter.id === undefined ? sql`` : sql`and r.id = ${filter.id}`}
      ${filter.agentId === undefined ? sql`` : sql`and r.agent_id = ${filter.agentId}`}
      ${filter.weekStart === undefined ? sql`` : sql`and r.week_start = ${filter.weekStart}::date`}
    order by r.week_start desc, a.display_name, r.id
    limit ${filter.limit}`);
  return rows;
}

export async function lockQaReview(db: Executor, id: number) {
  const { rows } = await db.execute<{ id: number; agent_id: number; week_start: string; scores: Record<string, number> | null; total: number | null; comment: string | null; reviewer_id: number | null }>(
    sql`select id, agent_id, to_char(week_start, 'YYYY-MM-DD') as week_start, scores, total, comment, reviewer_id from qa_reviews where id = ${id} for update`,
  );
  return rows[0];
}

export async function saveQaScore(db: Executor, id: number, s: { reviewerId: number; scores: Record<string, number>; total: number; comment: string | null; at: Date }) {
  await db.execute(sql`
    update qa_reviews set reviewer_id = ${s.reviewerId}, scores = ${JSON.stringify(s.scores)}::jsonb, total = ${s.total},
      comment = ${s.comment}, scored_at = ${s.at}
    where id = ${id}`);
}

