import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, type Actor, type CoreConfig, type Db } from '@forum/core';
import { createMember, relaxedConfig, type Clock } from '../support/factories.js';

/** A member at a trust level (1 by default, so polls and links are open to them). */
export async function member(db: Db, options: { handle?: string; role?: Actor['role']; trustLevel?: number } = {}): Promise<Actor> {
  const actor = await createMember(db, { handle: options.handle, role: options.role });
  const trustLevel = options.trustLevel ?? 1;
  await db.execute(sql`update users set trust_level = ${trustLevel} where id = ${actor.id}`);
  return { ...actor, trustLevel };
}

/** Runs every due job (badges, and whatever else subscribes) on the test's clock. */
export async function runJobs(db: Db, clock: Clock, config: CoreConfig = relaxedConfig): Promise<number> {
  return runDueJobs({ db, now: clock.now, config }, jobHandlers);
}

/** Live awards as `handle:badge` or `handle:badge:tag`, sorted: easy to compare and to read in a failure. */
export async function liveAwards(db: Db, where = sql`true`): Promise<string[]> {
  const { rows } = await db.execute<{ award: string }>(sql`
    select u.handle || ':' || ub.badge || coalesce(':' || tg.slug, '') as award
    from user_badges ub join users u on u.id = ub.user_id left join tags tg on tg.id = ub.tag_id
    where ub.revoked_at is null and ${where}
    order by 1`);
  return rows.map((r) => r.award);
}

/** One member's live badge slugs (with `:tag` for per-tag ones), sorted. */
export async function badgesOf(db: Db, actor: Actor): Promise<string[]> {
  return (await liveAwards(db, sql`ub.user_id = ${actor.id}`)).map((a) => a.slice(a.indexOf(':') + 1));
}

export type BadgeEvent = {
  name: string;
  rooms: string[];
  payload: { badge: { slug: string; name: string; tier: string; tag: { slug: string; name: string } | null }; user: { id: number; handle: string } };
};

/** badges.* events in the outbox after `afterId`, oldest first. */
export async function badgeEvents(db: Db, afterId = 0): Promise<BadgeEvent[]> {
  const { rows } = await db.execute<BadgeEvent>(
    sql`select name, rooms, payload from events where name like 'badges.%' and id > ${afterId} order by id`,
  );
  return rows;
}

export async function lastEventId(db: Db): Promise<number> {
  const { rows } = await db.execute<{ id: number | null }>(sql`select max(id) as id from events`);
  return Number(rows[0].id ?? 0);
}
