import { sql } from 'drizzle-orm';
import { DAY, dayStart, isoDate, parseDay } from '../dates.js';
import type { Ctx } from '../context.js';
import { Invalid } from '../errors.js';
import { authorize } from '../policy/index.js';
import { crmConnector } from './service.js';

// The self-service rate checked against the CRM. The dashboard's rate counts threads the
// community solved; this one asks whether they stayed solved: of the threads solved with no
// agent step-in whose asker is linked to a CRM contact, the share whose contact opened no case
// in the 7 days after the thread was solved. A thread whose 7 days are not over yet is counted
// as pending, not as a success.
//
// "No agent step-in": no queue item an agent resolved (by answering or by assisting a peer), no
// escalation to support, and the accepted answer is a member's. "Solved at": when the answer
// was accepted (its reputation entry), or the thread's last activity when there is none.

const WINDOW_DAYS = 7;
const RANGE_MAX_DAYS = 366;

export interface SelfServiceCounts {
  /** threads solved with no agent step-in */
  solved: number;
  /** of those, asked by a member linked to a CRM contact */
  linked: number;
  /** linked ones whose 7 days are not over yet */
  pending: number;
  /** linked ones whose contact opened no case within 7 days of the solve */
  confirmed: number;
  /** confirmed / (linked − pending); null when none are decided */
  rate: number | null;
}

export interface CrmSelfService {
  connector: string;
  from: string;
  to: string;
  windowDays: number;
  total: SelfServiceCounts;
  byCategory: (SelfServiceCounts & { category: { id: number; name: string; slug: string } | null })[];
  /** by the member whose answer was accepted, for members holding an Expert badge */
  byExpert: (SelfServiceCounts & { expert: { id: number; handle: string; displayName: string } })[];
}

interface Row {
  category_id: number | null;
  category_name: string | null;
  category_slug: string | null;
  answerer_id: number | null;
  answerer_handle: string | null;
  answerer_name: string | null;
  grp: number;
  solved: number;
  linked: number;
  pending: number;
  confirmed: number;
}


function dayParam(value: string | undefined, field: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new Invalid({ [field]: 'must be a date, YYYY-MM-DD' });
  return parseDay(value);
}

const counts = (r: Row): SelfServiceCounts => {
  const decided = Number(r.linked) - Number(r.pending);
  return { solved: Number(r.solved), linked: Number(r.linked), pending: Number(r.pending), confirmed: Number(r.confirmed), rate: decided > 0 ? Math.round((Number(r.confirmed) / decided) * 1000) / 1000 : null };
};

/**
 * The CRM-backed self-service rate for threads created from `from` to `to` (inclusive, UTC days;
 * default the 30 days before today), in all, per category and per expert. Supervisors and
 * admins (Forbidden otherwise); Invalid for a malformed date, from after to, or over a year.
 */
export async function crmSelfService(ctx: Ctx, input: { from?: string; to?: string } = {}): Promise<CrmSelfService> {
  authorize(ctx.actor, 'dashboard.view', null);
  const now = ctx.now();
  const today = dayStart(now);
  const to = dayParam(input.to, 'to', new Date(today.getTime() - DAY));
  const from = dayParam(input.from, 'from', new Date(to.getTime() - 29 * DAY));
  if (from > to) throw new Invalid({ from: 'must not be after to' });
  if ((to.getTime() - from.getTime()) / DAY >= RANGE_MAX_DAYS) throw new Invalid({ to: `the range must be at most ${RANGE_MAX_DAYS} days` });
  const end = new Date(to.getTime() + DAY);
  const connector = crmConnector(ctx).name;

  const { rows } = await ctx.db.execute<Row & Record<string, unknown>>(sql`
    with solved as (
      select th.id, th.category_id, th.author_id, p.author_id as answerer_id,
        coalesce((select min(l.created_at) from reputation_ledger l where l.post_id = th.accepted_post_id and l.reason = 'answer_accepted'), th.last_activity_at) as solved_at
      from threads th
      join posts p on p.id = th.accepted_post_id
      join users answerer on answerer.id = p.author_id and answerer.role = 'member'
      where th.deleted_at is null and th.held_at is null
        and th.created_at >= ${from} and th.created_at < ${end}
        and (th.status = 'solved' or (th.status = 'closed' and th.status_before_close = 'solved'))
        and not exists (select 1 from queue_items qi where qi.thread_id = th.id and qi.resolution in ('agent', 'assisted'))
        and not exists (select 1 from crm_escalations e where e.thread_id = th.id)
    ), checked as (
      select s.*, link.contact_id,
        link.contact_id is not null and s.solved_at + interval '${sql.raw(String(WINDOW_DAYS))} days' > ${now} as pending,
        exists (
          select 1 from crm_known_cases k
          where k.connector = ${connector} and k.contact_id = link.contact_id
            and k.opened_at >= s.solved_at and k.opened_at < s.solved_at + interval '${sql.raw(String(WINDOW_DAYS))} days'
        ) as had_case,
        exists (select 1 from user_badges b where b.user_id = s.answerer_id and b.badge = 'expert' and b.revoked_at is null) as by_expert
      from solved s
      left join crm_links link on link.user_id = s.author_id and link.connector = ${connector} and link.status = 'active'
    )
    select c.category_id, cat.name as category_name, cat.slug as category_slug,
      case when grouping(c.answerer_id) = 0 then c.answerer_id end as answerer_id, u.handle as answerer_handle, u.display_name as answerer_name,
      grouping(c.category_id, cat.name, cat.slug, c.answerer_id, u.handle, u.display_name)::int as grp,
      count(*)::int as solved,
      count(*) filter (where c.contact_id is not null)::int as linked,
      count(*) filter (where c.pending)::int as pending,
      count(*) filter (where c.contact_id is not null and not c.pending and not c.had_case)::int as confirmed
    from checked c
    left join categories cat on cat.id = c.category_id
    left join users u on u.id = c.answerer_id and c.by_expert
    group by grouping sets ((), (c.category_id, cat.name, cat.slug), (c.answerer_id, u.handle, u.display_name))`);

  const total = rows.find((r) => r.grp === 63);
  const empty: SelfServiceCounts = { solved: 0, linked: 0, pending: 0, confirmed: 0, rate: null };
  return {
    connector,
    from: isoDate(from),
    to: isoDate(to),
    windowDays: WINDOW_DAYS,
    total: total ? counts(total) : empty,
    byCategory: rows
      .filter((r) => r.grp === 7 && r.category_id !== null)
      .map((r) => ({ category: { id: r.category_id!, name: r.category_name!, slug: r.category_slug! }, ...counts(r) }))
      .sort((a, b) => b.solved - a.solved),
    byExpert: rows
      .filter((r) => r.grp === 56 && r.answerer_handle !== null)
      .map((r) => ({ expert: { id: Number(r.answerer_id), handle: r.answerer_handle!, displayName: r.answerer_name! }, ...counts(r) }))
      .sort((a, b) => b.solved - a.solved),
  };
}
