import { expect } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { accounts, type Actor, type Db, type Role } from '@forum/core';
import { ApiClient } from './http.js';
import { createMember, ctxFor, type Clock } from './factories.js';

/** What startForum() and startModeration() return, as far as these helpers need it. */
export interface Running {
  app: FastifyInstance;
  db: { db: Db };
  clock: Clock;
}

const sessionCookie = { forum: 'sid', moderation: 'console_sid' } as const;

/**
 * A client already logged in as `actor`: the session row is made directly (on the app's clock),
 * which skips the argon2 cost of a real login for tests that are not about logging in.
 */
export async function clientAs(running: Running, actor: Actor, options: { ip?: string; app?: 'forum' | 'moderation' } = {}): Promise<ApiClient> {
  const app = options.app ?? 'forum';
  const token = await accounts.createSession(ctxFor(running.db.db, null, running.clock), actor.id, app);
  const client = new ApiClient(running.app, options.ip);
  client.cookies.set(sessionCookie[app], token);
  return client;
}

/** A new member (or staff member, by role) and a client logged in as them. */
export async function signedIn(running: Running, options: { role?: Role; handle?: string; ip?: string; trustLevel?: number } = {}) {
  const actor = await createMember(running.db.db, { role: options.role, handle: options.handle, trustLevel: options.trustLevel });
  return { actor, client: await clientAs(running, actor, { ip: options.ip }) };
}

/**
 * Asserts an error response: the status, the stable `code`, and (when given) exactly which
 * fields were named as bad.
 */
export function expectError(response: LightMyRequestResponse, status: number, code: string, fields?: string[]) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json();
  expect(body.error.code, response.body).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (fields) expect(Object.keys(body.error.fields ?? {}).sort()).toEqual([...fields].sort());
  return body.error as { code: string; message: string; fields?: Record<string, string> };
}

/** A single number from SQL, e.g. `await scalar(db, sql\`select count(*) from threads\`)`. */
export async function scalar(db: Db, query: SQL): Promise<number> {
  const { rows } = await db.execute<{ value: unknown }>(sql`select (${query}) as value`);
  return Number(rows[0].value);
}

/**
 * How many rows each table holds: compare before and after a rejected request. Counted once the
 * jobs earlier requests' events started have run (up to 5 s), since their writes (events,
 * notifications) would otherwise land between the two counts. Events of the kinds only
 * background jobs write are left out: timers the test's clock made due may fire at any moment.
 */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if ((await scalar(db, sql`select count(*) from jobs where run_at is null and dead_at is null`)) === 0) break;
  }
  const { rows } = await db.execute<{ name: string; count: number }>(sql`
    select 'users' as name, count(*)::int as count from users
    union all select 'sessions', count(*)::int from sessions
    union all select 'threads', count(*)::int from threads
    union all select 'posts', count(*)::int from posts
    union all select 'thread_tags', count(*)::int from thread_tags
    union all select 'post_revisions', count(*)::int from post_revisions
    union all select 'votes', count(*)::int from votes
    union all select 'events', count(*)::int from events
      where not (name like any (array['badges.%', 'notifications.%', 'members.%', 'queue.item.%']))`);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.count)]));
}

/**
 * Waits until the app's job worker has run every job that is due (jobs retry with backoff, so
 * a failing one stops counting as due): for tests that compare rows or events after requests
 * whose events start background jobs.
 */
export async function settleJobs(running: Running): Promise<void> {
  const worker = running.app.jobs;
  if (!worker) return;
  for (let round = 0; round < 100; round++) {
    worker.kick();
    await worker.idle();
    const due = await scalar(running.db.db, sql`select count(*) from jobs where dead_at is null and coalesce(run_at, '-infinity'::timestamptz) <= ${running.clock.now()}`);
    if (due === 0) return;
  }
  throw new Error('background jobs did not settle');
}

/** A raw request with exactly the headers given: no cookie jar, no automatic CSRF header. */
export function rawRequest(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options: { headers?: Record<string, string>; payload?: string } = {}) {
  return app.inject({ method, url, headers: options.headers, payload: options.payload, remoteAddress: '10.9.9.9' });
}
