import { isStaff, type Ctx } from '../context.js';
import { DAY, isoDate } from '../dates.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Invalid, NotFound } from '../errors.js';
import { enqueueJob, hasPendingJob, type JobHandlers } from '../events/jobs.js';
import { appendEvent } from '../events/outbox.js';
import type { UserRef } from '../forum/types.js';
import { authorize } from '../policy/index.js';
import type { QueueReason } from '../queue/types.js';
import * as q from './queries.js';
import { QA_CRITERIA, type QaReview, type QaSampleResult, type QaScores } from './types.js';

// The weekly QA sample: `config.qa.samplePerAgent` random resolved items per agent per ISO week
// (UTC), scored by a supervisor on a four-criterion scorecard, visible to the agent.
//
// The draw runs by itself every Monday at 01:00 UTC for the week that just ended (the
// `qa.sample_weekly` job reschedules itself; ensureQaSampleScheduled starts the chain when the
// app starts), and supervisors may draw any ended week from the console. Drawing is idempotent
// per agent and week: an agent who has their N reviews gets no more.
//
// Scoring again is allowed (a supervisor corrects a slip); every scoring is audited with the
// scores before and after, so the history stays in the audit log.

const QUEUE = 'queue';
export const QA_JOB = 'qa.sample_weekly';
export const QA_COMMENT_MAX = 2000;
const QA_LIST_MAX = 500;

/** Monday 00:00 UTC of the ISO week holding `at`. */
export function weekStartOf(at: Date): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return new Date(day - ((at.getUTCDay() + 6) % 7) * DAY);
}


function parseWeek(value: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || isoDate(date) !== value) throw new Invalid({ [field]: 'must be a date, YYYY-MM-DD' });
  if (date.getUTCDay() !== 1) throw new Invalid({ [field]: 'must be a Monday (weeks start on Monday, UTC)' });
  return value;
}

async function draw(db: Executor, actorId: number | null, weekStart: string, ctx: Pick<Ctx, 'now' | 'config'>): Promise<QaSampleResult> {
  const now = ctx.now();
  await q.lockQaWeek(db, weekStart);
  const before = await q.countQaWeek(db, weekStart);
  const added = await q.drawQaSample(db, weekStart, ctx.config.qa.samplePerAgent, now);
  const byAgent = new Map<number, number[]>();
  for (const row of added) byAgent.set(row.agent_id, [...(byAgent.get(row.agent_id) ?? []), row.item_id]);
  const drawn = [...byAgent].map(([agentId, itemIds]) => ({ agentId, itemIds: itemIds.sort((a, b) => a - b) }));
  const total = before + added.length;
  await recordAudit(db, {
    actorId,
    action: 'qa.sampled',
    subjectType: 'qa_week',
    // the week as a number, 20250602: audit subjects are integers
    subjectId: Number(weekStart.replace(/-/g, '')),
    data: { weekStart, perAgent: ctx.config.qa.samplePerAgent, before: { reviews: before }, after: { reviews: total }, drawn },
    at: now,
  });
  await appendEvent(db, 'qa.sample.drawn', [QUEUE], { weekStart, added: added.length, total });
  return { weekStart, drawn, total };
}

/**
 * Draws the QA sample of an ISO week (supervisors and admins; Forbidden otherwise): default the
 * last full week. Invalid when weekStart is not a Monday or the week has not ended. Idempotent
 * per agent and week. Audited as qa.sampled (one row, even when nothing was added); emits
 * qa.sample.drawn to the console.
 */
export async function sampleQaWeek(ctx: Ctx, input: { weekStart?: string } = {}): Promise<QaSampleResult> {
  const actor = authorize(ctx.actor, 'console.access', null);
  authorize(actor, 'qa.sample', null);
  const now = ctx.now();
  const weekStart = input.weekStart === undefined ? isoDate(new Date(weekStartOf(now).getTime() - 7 * DAY)) : parseWeek(input.weekStart, 'weekStart');
  if (Date.parse(weekStart) + 7 * DAY > now.getTime()) throw new Invalid({ weekStart: 'that week has not ended yet' });
  return ctx.db.transaction((tx) => draw(tx, actor.id, weekStart, ctx));
}

const ref = (id: number, handle: string, name: string, role: UserRef['role']): UserRef => ({ id, handle, displayName: name, role, staff: isStaff(role) });

function present(r: q.QaReviewRow): QaReview {
  return {
    id: r.id,
    weekStart: r.week_start,
    agent: ref(r.agent_id, r.agent_handle, r.agent_name, r.agent_role),
    item: {
      id: r.item_id,
      threadId: r.thread_id,
      threadTitle: r.thread_title,
      reasons: r.reasons as QueueReason[],
      resolution: r.resolution,
      openedAt: new Date(r.opened_at).toISOString(),
      resolvedAt: new Date(r.resolved_at).toISOString(),
    },
    sampledAt: new Date(r.sampled_at).toISOString(),
    reviewer: r.reviewer_id === null ? null : ref(r.reviewer_id, r.reviewer_handle!, r.reviewer_name!, r.reviewer_role!),
    scores: (r.scores as QaScores | null) ?? null,
    total: r.total === null ? null : Math.round(Number(r.total) * 100) / 100,
    comment: r.comment,
    scoredAt: r.scored_at ? new Date(r.scored_at).toISOString() : null,
  };
}

/**
 * QA reviews, newest week first (at most 500): supervisors and admins see everyone's, optionally
 * one agent's or one week's; an agent sees only their own (Forbidden when asking for another's),
 * scores and comments included. Invalid for a week that is not a Monday. Reads only.
 */
export async function listQaReviews(ctx: Ctx, input: { agent?: number; week?: string } = {}): Promise<QaReview[]> {
  const actor = authorize(ctx.actor, 'console.access', null);
  const agentId = input.agent ?? (actor.role === 'agent' ? actor.id : undefined);
  authorize(actor, 'qa.view', { agentId: agentId ?? -1 });
  const weekStart = input.week === undefined ? undefined : parseWeek(input.week, 'week');
  const rows = await q.listQaRows(ctx.db, { agentId, weekStart, limit: QA_LIST_MAX });
  return rows.map(present);
}

/**
 * Scores a sampled item (supervisors and admins, never on their own work: Forbidden): each of
 * accuracy, tone, policy and resolution an integer 1–5, and an optional comment of at most 2,000
 * characters (Invalid naming the field). NotFound for an unknown review. Scoring again replaces
 * the scores. Audited as qa.scored with the scores before and after; emits qa.review.scored
 * (without the scores: only the agent and supervisors may read them).
 */
export async function scoreQaReview(ctx: Ctx, id: number, input: { scores: Record<string, unknown>; comment?: string | null }): Promise<QaReview> {
  const actor = authorize(ctx.actor, 'console.access', null);
  const fields: Record<string, string> = {};
  const scores = {} as QaScores;
  const given = input.scores && typeof input.scores === 'object' ? input.scores : {};
  for (const key of Object.keys(given)) if (!(QA_CRITERIA as readonly string[]).includes(key)) fields[`scores.${key}`] = `unknown criterion; the scorecard has ${QA_CRITERIA.join(', ')}`;
  for (const key of QA_CRITERIA) {
    const value = given[key];
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 5) fields[`scores.${key}`] = 'must be a whole number from 1 to 5';
    else scores[key] = value as number;
  }
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > QA_COMMENT_MAX) fields.comment = `must be at most ${QA_COMMENT_MAX} characters`;
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await q.lockQaReview(tx, id);
    if (!before) throw new NotFound('QA review', 'qa_review_not_found');
    authorize(actor, 'qa.score', { agentId: before.agent_id });
    if (Object.keys(fields).length) throw new Invalid(fields);
    const total = Math.round((QA_CRITERIA.reduce((sum, k) => sum + scores[k], 0) / QA_CRITERIA.length) * 100) / 100;
    await q.saveQaScore(tx, id, { reviewerId: actor.id, scores, total, comment, at: now });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'qa.scored',
      subjectType: 'qa_review',
      subjectId: id,
      data: {
        agentId: before.agent_id,
        weekStart: before.week_start,
        before: { scores: before.scores, total: before.total, comment: before.comment, reviewerId: before.reviewer_id },
        after: { scores, total, comment, reviewerId: actor.id },
      },
      at: now,
    });
    await appendEvent(tx, 'qa.review.scored', [QUEUE], { id, agentId: before.agent_id, weekStart: before.week_start });
    const [row] = await q.listQaRows(tx, { id, limit: 1 });
    return present(row);
  });
}

/** Monday 01:00 UTC after `at`: an hour after the week ends, so late resolutions are in. */
function nextRun(at: Date): Date {
  return new Date(weekStartOf(at).getTime() + 7 * DAY + 3_600_000);
}

/**
 * Starts the weekly draw's chain of jobs unless one is waiting: run at start-up (idempotent).
 */
export async function ensureQaSampleScheduled(db: Executor, now: Date): Promise<boolean> {
  if (await hasPendingJob(db, QA_JOB)) return false;
  await enqueueJob(db, QA_JOB, {}, nextRun(now));
  return true;
}

/** The weekly job: draws last week's sample (audited with no actor) and schedules next Monday's. */
async function runWeeklySample(ctx: Ctx): Promise<void> {
  const now = ctx.now();
  await draw(ctx.db, null, isoDate(new Date(weekStartOf(now).getTime() - 7 * DAY)), ctx);
  if (!(await hasPendingJob(ctx.db, QA_JOB, now))) await enqueueJob(ctx.db, QA_JOB, {}, nextRun(now));
}

export const qaJobHandlers: JobHandlers = { [QA_JOB]: runWeeklySample };
