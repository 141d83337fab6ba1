import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, type Actor, type CoreConfig, type Db, type JobPayload } from '@forum/core';
import { Clock, createMember, ctxFor, relaxedConfig } from '../support/factories.js';

export interface NotificationRecord {
  id: number;
  userId: number;
  kind: string;
  dedupeKey: string;
  threadId: number | null;
  postId: number | null;
  actorId: number | null;
  data: Record<string, any>;
  createdAt: Date;
  readAt: Date | null;
}

/**
 * A member's notification rows, oldest first; of some kinds only when given. (The badge rules
 * run on the same events, so a member who answers may also be told about a badge.)
 */
export async function notificationsOf(db: Db, userId: number, kinds?: string[]): Promise<NotificationRecord[]> {
  const { rows } = await db.execute<Record<string, any>>(sql`
    select id, user_id, kind, dedupe_key, thread_id, post_id, actor_id, data, created_at, read_at
    from notifications where user_id = ${userId} order by id`);
  const all = notificationsFrom(rows);
  return kinds ? all.filter((n) => kinds.includes(n.kind)) : all;
}

/** Every kind this module makes from forum events, i.e. all but badges. */
export const FORUM_KINDS = ['reply', 'accepted', 'mention', 'routed'];

function notificationsFrom(rows: Array<Record<string, any>>): NotificationRecord[] {
  return rows.map((r) => ({
    id: Number(r.id),
    userId: r.user_id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    threadId: r.thread_id,
    postId: r.post_id,
    actorId: r.actor_id,
    data: r.data,
    createdAt: new Date(r.created_at),
    readAt: r.read_at ? new Date(r.read_at) : null,
  }));
}

/** Every notification row but badges, for "nobody was notified" checks. */
export async function allNotifications(db: Db): Promise<Array<{ userId: number; kind: string }>> {
  const { rows } = await db.execute<{ user_id: number; kind: string }>(sql`select user_id, kind from notifications where kind <> 'badge' order by id`);
  return rows.map((r) => ({ userId: r.user_id, kind: r.kind }));
}

/** The events pushed to a member's personal room, oldest first. */
export async function personalEvents(db: Db, userId: number): Promise<Array<{ name: string; payload: any }>> {
  const { rows } = await db.execute<{ name: string; payload: any }>(sql`
    select name, payload from events where ${`user:${userId}`} = any(rooms) order by id`);
  return rows;
}

/** Runs every due job now, as the worker would, on the test's clock. */
export function runJobs(db: Db, clock: Clock, config: CoreConfig = relaxedConfig, batch?: number): Promise<number> {
  return runDueJobs(ctxFor(db, null, clock, config), jobHandlers, batch);
}

/** The payloads of the queued jobs of a kind, to run a handler again as a retry would. */
export async function queuedPayloads(db: Db, kind: string): Promise<JobPayload[]> {
  const { rows } = await db.execute<{ payload: JobPayload }>(sql`select payload from jobs where kind = ${kind} and dead_at is null order by id`);
  return rows.map((r) => r.payload);
}

/** Runs one handler on a payload in a transaction of its own, as the worker does. */
export async function runHandler(db: Db, kind: string, payload: JobPayload, clock: Clock, config: CoreConfig = relaxedConfig): Promise<void> {
  await db.transaction(async (tx) => jobHandlers[kind]({ db: tx as unknown as Db, actor: null, now: clock.now, config }, payload));
}

/** Jobs that failed (and are waiting for a retry or dead): a handler bug shows up here. */
export async function failedJobs(db: Db): Promise<Array<{ kind: string; last_error: string }>> {
  const { rows } = await db.execute<{ kind: string; last_error: string }>(sql`select kind, last_error from jobs where last_error is not null`);
  return rows;
}

const grantors = new WeakMap<Db, Promise<Actor>>();

/**
 * Test data: a live Expert badge in a tag. Granted by staff, as the badges module records a
 * grant by hand, so its rules do not lapse it when they evaluate the member.
 */
export async function makeExpert(db: Db, userId: number, tagSlug: string, at = new Date()): Promise<number> {
  if (!grantors.has(db)) grantors.set(db, createMember(db, { role: 'admin' }));
  const grantor = await grantors.get(db)!;
  const { rows } = await db.execute<{ id: number }>(sql`
    insert into user_badges (user_id, badge, tag_id, granted_at, granted_by_id, grant_reason)
    select ${userId}, 'expert', id, ${at}, ${grantor.id}, 'test data' from tags where slug = ${tagSlug}
    returning id`);
  if (!rows[0]) throw new Error(`no tag ${tagSlug}`);
  return rows[0].id;
}
