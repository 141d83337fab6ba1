import { asc, eq, sql } from 'drizzle-orm';
import { users } from '../accounts/schema.js';
import type { Executor } from '../db/client.js';
import { tags } from '../forum/schema.js';
import { watchedWords } from './schema.js';

export type WatchedWordRow = typeof watchedWords.$inferSelect;

/** A hash of the whole rule set: equal hashes, equal rules (whichever database they come from). */
export async function getRulesHash(db: Executor): Promise<string> {
  const rows = await db.execute<{ hash: string | null }>(sql`
    select md5(string_agg(concat_ws(':', id, action, coalesce(tag_id, 0), coalesce(replacement, ''), phrase), E'\n' order by id)) as hash
    from ${watchedWords}`);
  return rows.rows[0]?.hash ?? 'empty';
}

export async function listRuleRows(db: Executor) {
  return db.select().from(watchedWords).orderBy(asc(watchedWords.id));
}

/** Rules with their tag and creator, for the console. */
export async function listRuleDetails(db: Executor) {
  return db
    .select({
      rule: watchedWords,
      tagSlug: tags.slug,
      tagName: tags.name,
      creatorHandle: users.handle,
    })
    .from(watchedWords)
    .leftJoin(tags, eq(tags.id, watchedWords.tagId))
    .leftJoin(users, eq(users.id, watchedWords.createdById))
    .orderBy(asc(watchedWords.id));
}

export async function countRules(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(watchedWords);
  return row.n;
}
