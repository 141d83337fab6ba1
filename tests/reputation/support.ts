import { sql } from 'drizzle-orm';
import type { Db } from '@forum/core';
import { createMember } from '../support/factories.js';

export interface LedgerLine {
  id: number;
  reason: string;
  points: number;
  postId: number | null;
  causedById: number | null;
  reversesId: number | null;
}

/** A member's ledger, oldest first. */
export async function ledgerOf(db: Db, userId: number): Promise<LedgerLine[]> {
  const { rows } = await db.execute<{ id: string; reason: string; points: number; post_id: number | null; caused_by_id: number | null; reverses_id: string | null }>(
    sql`select id, reason, points, post_id, caused_by_id, reverses_id from reputation_ledger where user_id = ${userId} order by id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    reason: r.reason,
    points: r.points,
    postId: r.post_id,
    causedById: r.caused_by_id,
    reversesId: r.reverses_id === null ? null : Number(r.reverses_id),
  }));
}

/** The cached total on the member's row and the sum of their ledger, which must agree. */
export async function totalsOf(db: Db, userId: number): Promise<{ cached: number; ledger: number }> {
  const { rows } = await db.execute<{ cached: number; ledger: string }>(
    sql`select u.reputation as cached, (select coalesce(sum(points), 0) from reputation_ledger where user_id = u.id) as ledger from users u where u.id = ${userId}`,
  );
  return { cached: rows[0].cached, ledger: Number(rows[0].ledger) };
}

export async function trustLevelOf(db: Db, userId: number): Promise<number> {
  const { rows } = await db.execute<{ trust_level: number }>(sql`select trust_level from users where id = ${userId}`);
  return rows[0].trust_level;
}

/** `n` members, signed up ten at a time (argon2 is the slow part). */
export async function manyMembers(db: Db, n: number, options: { trustLevel?: number } = {}) {
  const out = [];
  for (let i = 0; i < n; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => createMember(db, options)))));
  return out;
}

/** Events of one name, oldest first, with their rooms and public payloads. */
export async function eventsNamed(db: Db, name: string): Promise<Array<{ rooms: string[]; payload: Record<string, unknown> }>> {
  const { rows } = await db.execute<{ rooms: string[]; payload: Record<string, unknown> }>(sql`select rooms, payload from events where name = ${name} order by id`);
  return rows;
}

/** Counts of the tables the features in this folder write, for before/after comparisons. */
export async function moderationCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.execute<{ name: string; count: number }>(sql`
    select 'flags' as name, count(*)::int as count from flags
    union all select 'ballots', count(*)::int from ballots
    union all select 'reputation_ledger', count(*)::int from reputation_ledger
    union all select 'audit_log', count(*)::int from audit_log`);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.count)]));
}
