import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember } from '../support/factories.js';
import { clientAs, expectError, scalar, settleJobs } from '../support/api.js';

// Resolving flags from the console, a post at a time: agree (hide or delete, maybe silence the
// author), disagree (restore) or defer; the forum shows the result, flaggers hear the outcome,
// and each resolution leaves one audit row.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let agent: Actor;
let agentConsole: ApiClient;
let memberConsole: ApiClient;
let anonymous: ApiClient;

beforeAll(async () => {
  mod = await startModeration();
  // the forum's job worker runs the jobs both apps' events start
  forum = await startForum({ database: mod.db, clock: mod.clock });
  await createCategory(mod.db.db, { slug: 'console-flags' });
  agent = await createMember(mod.db.db, { role: 'agent', handle: 'agent_fay' });
  const member = await createMember(mod.db.db, { trustLevel: 4 });
  [agentConsole, memberConsole] = await Promise.all([clientAs(mod, agent, { app: 'moderation' }), clientAs(mod, member, { app: 'moderation' })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

interface Flagged {
  threadId: number;
  postId: number;
  author: Actor;
  authorForum: ApiClient;
  flaggers: Actor[];
}

/** A reply by a new member, flagged by members of these trust levels (three level-0 flags hide it). */
async function flaggedReply(word: string, levels = [0, 0, 0]): Promise<Flagged> {
  const author = await createMember(mod.db.db, { trustLevel: 1 });
  const authorForum = await clientAs(forum, author);
  const agentForum = await clientAs(forum, agent);
  const thread = await agentForum.post('/api/threads', { category: 'console-flags', kind: 'discussion', title: `Router question ${word}`, body: 'Which router?' });
  const threadId = thread.json().thread.id as number;
  const reply = await authorForum.post(`/api/threads/${threadId}/posts`, { body: `Visit my ${word} shop` });
  expect(reply.statusCode, reply.body).toBe(201);
  const postId = reply.json().post.id as number;
  const flaggers: Actor[] = [];
  for (const [i, trustLevel] of levels.entries()) {
    const flagger = await createMember(mod.db.db, { trustLevel });
    const response = await (await clientAs(forum, flagger)).post(`/api/posts/${postId}/flags`, { reason: i === 0 ? 'spam' : 'other', note: i === 0 ? null : `note ${i}` });
    expect(response.statusCode, response.body).toBe(201);
    flaggers.push(flagger);
  }
  return { threadId, postId, author, authorForum, flaggers };
}

const resolve = (postId: number, body: Record<string, unknown>, client = agentConsole) => client.post(`/api/posts/${postId}/flags/resolve`, body);

async function readerView(f: Flagged) {
  const page = (await anonymous.get(`/api/threads/${f.threadId}`)).json();
  return page.posts.find((p: { id: number }) => p.id === f.postId) as { hidden: boolean; deleted: boolean; bodyMarkdown: string } | undefined;
}

const flagStatuses = async (postId: number) =>
  (await mod.db.db.execute<{ status: string }>(sql`select status from flags where post_id = ${postId} order by id`)).rows.map((r) => r.status);

async function auditRows(postId: number) {
  const { rows } = await mod.db.db.execute<{ actor_id: number; reason: string | null; data: Record<string, unknown> }>(
    sql`select actor_id, reason, data from audit_log where action = 'post.flags_resolved' and subject_type = 'post' and subject_id = ${postId} order by id`,
  );
  return rows;
}

async function outcomeNotices(userIds: number[]) {
  const { rows } = await mod.db.db.execute<{ user_id: number; post_id: number | null; data: { flagOutcome: string } }>(
    sql`select user_id, post_id, data from notifications where kind = 'flag_outcome' and user_id in ${sql.raw(`(${userIds.join(',')})`)} order by user_id`,
  );
  return rows;
}

describe('GET /api/flags?status=open', () => {
  it('groups open flags by post: excerpt, thread, total weight, and each flag with its flagger’s handle and trust level', async () => {
    const f = await flaggedReply('pangolin', [0, 2]);
    const response = await agentConsole.get('/api/flags?status=open&limit=50');
    expect(response.statusCode, response.body).toBe(200);
    const entry = response.json().posts.find((p: { post: { id: number } }) => p.post.id === f.postId);
    expect(entry).toMatchObject({
      post: { id: f.postId, threadId: f.threadId, excerpt: 'Visit my pangolin shop', hidden: true, deleted: false, author: { id: f.author.id } },
      thread: { id: f.threadId, title: 'Router question pangolin' },
      totalWeight: 3,
      threshold: 3,
    });
    expect(entry.flags.map((x: any) => [x.reason, x.note, x.weight, x.flagger.handle, x.flagger.trustLevel])).toEqual([
      ['spam', null, 1, f.flaggers[0].handle, 0],
      ['other', 'note 1', 2, f.flaggers[1].handle, 2],
    ]);
  });

  it('is for staff: members get 403, and bad input 400', async () => {
    expectError(await memberConsole.get('/api/flags?status=open'), 403, 'forbidden');
    expectError(await memberConsole.post('/api/posts/1/flags/resolve', { outcome: 'agree' }), 403, 'forbidden');
    expectError(await agentConsole.get('/api/flags?status=closed'), 400, 'invalid_request', ['status']);
  });
});

describe('POST /api/posts/:id/flags/resolve', () => {
  it('agree + delete: the post is deleted, its flags agreed, one audit row, and each flagger is told', async () => {
    const f = await flaggedReply('armadillo');
    const response = await resolve(f.postId, { outcome: 'agree', action: 'delete', note: 'Spam shop' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().resolution).toMatchObject({ postId: f.postId, outcome: 'agree', action: 'delete', post: { deleted: true }, authorSilencedUntil: null });
    expect(response.json().resolution.resolvedFlagIds).toHaveLength(3);

    expect(await readerView(f)).toMatchObject({ deleted: true, bodyMarkdown: '' });
    expect(await flagStatuses(f.postId)).toEqual(['agreed', 'agreed', 'agreed']);
    expect(await auditRows(f.postId)).toEqual([
      { actor_id: agent.id, reason: 'Spam shop', data: expect.objectContaining({ outcome: 'agree', action: 'delete', flagIds: response.json().resolution.resolvedFlagIds }) },
    ]);
    // the per-flag event the trust job listens to is still written for each flag
    expect(await scalar(mod.db.db, sql`select count(*) from events where name = 'flags.flag.resolved' and (payload->>'postId')::int = ${f.postId} and payload->>'outcome' = 'agreed'`)).toBe(3);

    await settleJobs(forum);
    const notices = await outcomeNotices(f.flaggers.map((x) => x.id));
    expect(notices.map((n) => [n.user_id, n.data.flagOutcome])).toEqual(f.flaggers.map((x) => [x.id, 'agreed']).sort((a, b) => (a[0] as number) - (b[0] as number)));
    const list = (await (await clientAs(forum, f.flaggers[0])).get('/api/notifications')).json().notifications;
    expect(list[0]).toMatchObject({ kind: 'flag_outcome', flagOutcome: 'agreed', text: expect.stringContaining('agreed with your flag'), link: `/t/${f.threadId}` });

    expectError(await resolve(f.postId, { outcome: 'disagree' }), 409, 'no_open_flags');
  });

  it('agree + silence: the post stays hidden and its author cannot post for the hours given (403 member_silenced)', async () => {
    const f = await flaggedReply('tapir');
    const response = await resolve(f.postId, { outcome: 'agree', action: 'hide', silenceAuthorHours: 24 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().resolution).toMatchObject({
      post: { hidden: true, deleted: false },
      authorSilencedUntil: new Date(mod.clock.now().getTime() + 24 * 3_600_000).toISOString(),
    });
    expect(await readerView(f)).toMatchObject({ hidden: true, bodyMarkdown: '' });
    expectError(await f.authorForum.post(`/api/threads/${f.threadId}/posts`, { body: 'Let me explain' }), 403, 'member_silenced');
    // one action, one audit row: the resolution's row records the silence too
    const rows = await auditRows(f.postId);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).toContain(new Date(mod.clock.now().getTime() + 24 * 3_600_000).toISOString());
    expect(await scalar(mod.db.db, sql`select count(*) from audit_log where action = 'member.silenced' and subject_id = ${f.author.id}`)).toBe(0);
  });

  it('disagree: the post is restored for everyone (forum.post.restored), back in search, and flaggers are told', async () => {
    const f = await flaggedReply('axolotlite');
    expect((await readerView(f))?.hidden).toBe(true);
    const response = await resolve(f.postId, { outcome: 'disagree', note: 'Not spam, a real shop' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().resolution).toMatchObject({ outcome: 'disagree', action: null, post: { hidden: false } });

    expect(await readerView(f)).toMatchObject({ hidden: false, bodyMarkdown: 'Visit my axolotlite shop' });
    expect(await flagStatuses(f.postId)).toEqual(['disagreed', 'disagreed', 'disagreed']);
    const search = (await anonymous.get('/api/search?q=axolotlite')).json().results;
    expect(search.map((r: { thread: { id: number } }) => r.thread.id)).toContain(f.threadId);
    expect(await scalar(mod.db.db, sql`select count(*) from events where name = 'forum.post.restored' and ${`thread:${f.threadId}`} = any(rooms)`)).toBe(1);
    expect(await auditRows(f.postId)).toHaveLength(1);

    await settleJobs(forum);
    expect((await outcomeNotices(f.flaggers.map((x) => x.id))).map((n) => n.data.flagOutcome)).toEqual(['disagreed', 'disagreed', 'disagreed']);
  });

  it('defer: flags stay open and the post hidden; the note goes to the audit log; nobody is told yet', async () => {
    const f = await flaggedReply('okapine');
    const response = await resolve(f.postId, { outcome: 'defer', note: 'Asking the product team' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().resolution).toMatchObject({ outcome: 'defer', resolvedFlagIds: [], post: { hidden: true } });
    expect(await flagStatuses(f.postId)).toEqual(['open', 'open', 'open']);
    expect((await readerView(f))?.hidden).toBe(true);
    expect(await auditRows(f.postId)).toEqual([{ actor_id: agent.id, reason: 'Asking the product team', data: expect.objectContaining({ outcome: 'defer' }) }]);
    await settleJobs(forum);
    expect(await outcomeNotices(f.flaggers.map((x) => x.id))).toEqual([]);
    // still in the console's list
    const open = (await agentConsole.get('/api/flags?limit=50')).json().posts.map((p: { post: { id: number } }) => p.post.id);
    expect(open).toContain(f.postId);
  });

  it('refuses unknown posts (404), posts without open flags (409) and bad combinations (400), writing nothing', async () => {
    const f = await flaggedReply('civetine', [0]);
    const agentForum = await clientAs(forum, agent);
    const clean = (await agentForum.post('/api/threads', { category: 'console-flags', kind: 'discussion', title: 'Nothing flagged here', body: 'Fine post' })).json().post.id;
    const before = await scalar(mod.db.db, sql`select count(*) from audit_log`);

    expectError(await resolve(999999, { outcome: 'agree' }), 404, 'post_not_found');
    expectError(await resolve(clean, { outcome: 'agree' }), 409, 'no_open_flags');
    expectError(await resolve(f.postId, { outcome: 'maybe' }), 400, 'invalid_request', ['outcome']);
    expectError(await resolve(f.postId, { outcome: 'disagree', action: 'delete' }), 400, 'invalid', ['action']);
    expectError(await resolve(f.postId, { outcome: 'defer', silenceAuthorHours: 2 }), 400, 'invalid', ['silenceAuthorHours']);
    expectError(await resolve(f.postId, { outcome: 'agree', silenceAuthorHours: 0 }), 400, 'invalid_request', ['silenceAuthorHours']);
    expect(await scalar(mod.db.db, sql`select count(*) from audit_log`)).toBe(before);
    expect(await flagStatuses(f.postId)).toEqual(['open']);
  });
});
