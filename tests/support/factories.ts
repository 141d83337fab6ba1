import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { accounts, defaultConfig, forum, type Actor, type CoreConfig, type Ctx, type Db, type Role, type ThreadKind } from '@forum/core';

export const PASSWORD = 'correct horse battery';

/** Rate limits out of the way, for tests that are not about them. */
export const relaxedConfig: CoreConfig = {
  ...defaultConfig,
  rateLimits: {
    signup: { limit: 100_000, windowSeconds: 60 },
    login: { limit: 100_000, windowSeconds: 60 },
    post: { limit: 100_000, windowSeconds: 60 },
  },
};

export class Clock {
  constructor(public current = new Date()) {}
  now = () => this.current;
  advance(minutes: number) {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

export function ctxFor(db: Db, actor: Actor | null, clock = new Clock(), config: CoreConfig = relaxedConfig): Ctx {
  return { db, actor, now: clock.now, config };
}

const unique = () => randomBytes(4).toString('hex');

/** A new account; `trustLevel` sets its trust level (0–4) straight in the database after sign-up. */
export async function createMember(db: Db, options: { handle?: string; role?: Role; email?: string; trustLevel?: number } = {}): Promise<Actor> {
  const handle = options.handle ?? `member_${unique()}`;
  const actor = await accounts.signUp(ctxFor(db, null), {
    handle,
    email: options.email ?? `${handle}@example.test`,
    password: PASSWORD,
    role: options.role ?? 'member',
  });
  if (options.trustLevel === undefined) return actor;
  await db.execute(sql`update users set trust_level = ${options.trustLevel} where id = ${actor.id}`);
  return { ...actor, trustLevel: options.trustLevel };
}

export async function createCategory(db: Db, options: { slug?: string; windowMinutes?: number; tags?: string[] } = {}) {
  const slug = options.slug ?? `cat-${unique()}`;
  const { rows } = await db.execute<{ id: number }>(
    sql`insert into categories (slug, name, description, community_window_minutes) values (${slug}, ${`Category ${slug}`}, 'A test category', ${options.windowMinutes ?? 60}) returning id`,
  );
  for (const tag of options.tags ?? []) {
    await db.execute(sql`insert into tags (slug, name, category_id) values (${tag}, ${tag}, ${rows[0].id}) on conflict (slug) do nothing`);
  }
  return { id: rows[0].id, slug };
}

export async function createThread(
  db: Db,
  author: Actor,
  options: { category?: string; kind?: ThreadKind; title?: string; body?: string; tags?: string[]; clock?: Clock } = {},
) {
  const category = options.category ?? (await createCategory(db)).slug;
  return forum.createThread(ctxFor(db, author, options.clock), {
    category,
    kind: options.kind ?? 'question',
    title: options.title ?? `How do I configure thing ${unique()}?`,
    body: options.body ?? 'I tried the settings page but could not find it.',
    tags: options.tags ?? [],
  });
}

export async function createReply(db: Db, author: Actor, threadId: number, body = 'Here is how you do it.', clock?: Clock) {
  return forum.createReply(ctxFor(db, author, clock), threadId, { body });
}

export { defaultConfig };
