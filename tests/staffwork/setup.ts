import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, type Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread, relaxedConfig } from '../support/factories.js';
import { clientAs, scalar } from '../support/api.js';

// One forum and one console on a shared database and clock, with an asker, a peer, two agents
// and a supervisor signed in; jobs run when a test runs them.

export interface World {
  mod: Awaited<ReturnType<typeof startModeration>>;
  forum: TestForum;
  clock: Clock;
  asker: Actor;
  peer: Actor;
  alice: Actor;
  bob: Actor;
  sue: Actor;
  askerForum: ApiClient;
  peerForum: ApiClient;
  aliceConsole: ApiClient;
  bobConsole: ApiClient;
  sueConsole: ApiClient;
  memberConsole: ApiClient;
  runJobs(): Promise<unknown>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  const mod = await startModeration({ clock });
  const forum = await startForum({ database: mod.db, clock, jobs: false });
  const [asker, peer, alice, bob, sue] = await Promise.all([
    createMember(mod.db.db, { trustLevel: 1, handle: `asker_${Math.random().toString(36).slice(2, 8)}` }),
    createMember(mod.db.db, { trustLevel: 2 }),
    createMember(mod.db.db, { role: 'agent', handle: `agent_alice_${Math.random().toString(36).slice(2, 6)}` }),
    createMember(mod.db.db, { role: 'agent' }),
    createMember(mod.db.db, { role: 'supervisor' }),
  ]);
  const [askerForum, peerForum, aliceConsole, bobConsole, sueConsole, memberConsole] = await Promise.all([
    clientAs(forum, asker),
    clientAs(forum, peer),
    clientAs(mod, alice, { app: 'moderation' }),
    clientAs(mod, bob, { app: 'moderation' }),
    clientAs(mod, sue, { app: 'moderation' }),
    clientAs(mod, peer, { app: 'moderation' }),
  ]);
  return {
    mod,
    forum,
    clock,
    asker,
    peer,
    alice,
    bob,
    sue,
    askerForum,
    peerForum,
    aliceConsole,
    bobConsole,
    sueConsole,
    memberConsole,
    runJobs: () => runDueJobs({ db: mod.db.db, now: clock.now, config: relaxedConfig }, jobHandlers),
    async close() {
      await forum.close();
      await mod.close();
    },
  };
}

export async function category(w: World, options: { replyApproval?: boolean } = {}) {
  const { id, slug } = await createCategory(w.mod.db.db, { windowMinutes: 10_000 });
  if (options.replyApproval) await w.mod.db.db.execute(sql`update categories set reply_approval = true where id = ${id}`);
  return slug;
}

/** A thread by the asker that the asker asked staff about: its id and its open item's id. */
export async function requested(w: World, options: { replyApproval?: boolean; title?: string } = {}) {
  const { thread } = await createThread(w.mod.db.db, w.asker, { category: await category(w, options), clock: w.clock, title: options.title });
  const response = await w.askerForum.post(`/api/threads/${thread.id}/request-staff`);
  expect(response.statusCode, response.body).toBe(201);
  const itemId = await scalar(w.mod.db.db, sql`select id from queue_items where thread_id = ${thread.id} and status <> 'resolved'`);
  return { threadId: thread.id, itemId };
}

/** A thread nobody asked staff about. */
export async function offQueue(w: World) {
  const { thread } = await createThread(w.mod.db.db, w.asker, { category: await category(w), clock: w.clock });
  return thread.id;
}

export async function auditRows(w: World, action: string) {
  const { rows } = await w.mod.db.db.execute<{ actor_id: number; action: string; subject_type: string; subject_id: number; reason: string | null; data: any }>(
    sql`select actor_id, action, subject_type, subject_id, reason, data from audit_log where action = ${action} order by id`,
  );
  return rows;
}

export const countAudit = (w: World) => scalar(w.mod.db.db, sql`select count(*) from audit_log`);
