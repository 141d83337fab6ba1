import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor, CoreConfig } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, relaxedConfig } from '../support/factories.js';
import { expectError, scalar, settleJobs, signedIn } from '../support/api.js';
import { eventsNamed, moderationCounts, trustLevelOf } from './support.js';

// Flags through the HTTP API: raising, weights, review and resolution, and what agreed flags
// do for the flagger's trust level.

type Signed = { actor: Actor; client: ApiClient };

// Level 3 needs an agreed flag and nothing else this file cannot give quickly.
const config: CoreConfig = {
  ...relaxedConfig,
  trust: {
    levels: [
      { replies: 1, accepted: 0, days: 0, agreedFlags: 0 },
      { replies: 1, accepted: 0, days: 0, agreedFlags: 0 },
      { replies: 1, accepted: 0, days: 0, agreedFlags: 1 },
      { replies: 1000, accepted: 0, days: 0, agreedFlags: 0 },
    ],
  },
};

let forum: TestForum;
let author: Signed;
let agent: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum({ config });
  await createCategory(forum.db.db, { slug: 'help' });
  [author, agent] = await Promise.all([signedIn(forum, { trustLevel: 1 }), signedIn(forum, { role: 'agent' })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

async function postToFlag() {
  const response = await author.client.post('/api/threads', { category: 'help', kind: 'discussion', title: 'Cheap licences, DM me', body: 'Great prices on everything.' });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().post.id as number;
}

const flag = (client: ApiClient, postId: number, body: Record<string, unknown> = { reason: 'spam' }) => client.post(`/api/posts/${postId}/flags`, body);

describe('POST /api/posts/:id/flags', () => {
  it('raises a flag weighted by the flagger’s trust: 1 below level 2, 2 from level 2, 3 for staff', async () => {
    const postId = await postToFlag();
    const [newcomer, member] = await Promise.all([signedIn(forum), signedIn(forum, { trustLevel: 2 })]);
    const weights = [];
    for (const client of [newcomer.client, member.client, agent.client]) {
      const response = await flag(client, postId, { reason: 'spam', note: '  selling licences  ' });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().flag).toMatchObject({ postId, reason: 'spam', note: 'selling licences', status: 'open' });
      weights.push(response.json().flag.weight);
    }
    expect(weights).toEqual([1, 2, 3]);

    const open = (await agent.client.get('/api/flags?status=open')).json().flags.filter((f: { postId: number }) => f.postId === postId);
    expect(open).toHaveLength(3);
    expect(open[0]).toMatchObject({
      flagger: { id: newcomer.actor.id, trustLevel: 0 },
      post: { id: postId, author: { id: author.actor.id }, excerpt: 'Great prices on everything.', path: expect.stringContaining(`#post-${postId}`) },
      thread: { title: 'Cheap licences, DM me' },
      openWeight: 6,
      resolvedAt: null,
    });
    const raised = (await eventsNamed(forum.db.db, 'flags.flag.raised')).filter((e) => (e.payload.flag as { postId: number }).postId === postId);
    expect(raised).toHaveLength(3);
    expect(raised.every((e) => e.rooms.length === 1 && e.rooms[0] === 'queue')).toBe(true);
  });

  it('allows one open flag per member per post (409 already_flagged), even sent twice at once', async () => {
    const postId = await postToFlag();
    const flagger = await signedIn(forum);
    const responses = await Promise.all([flag(flagger.client, postId), flag(flagger.client, postId, { reason: 'abusive' })]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expectError(responses.find((r) => r.statusCode === 409)!, 409, 'already_flagged');
    expect(await scalar(forum.db.db, sql`select count(*) from flags where post_id = ${postId} and flagger_id = ${flagger.actor.id}`)).toBe(1);
  });

  it('refuses your own post (403), unknown or deleted posts (404), visitors (401) and bad input (400), writing nothing', async () => {
    const postId = await postToFlag();
    const gone = await postToFlag();
    expect((await author.client.delete(`/api/posts/${gone}`)).statusCode).toBe(204);
    const flagger = await signedIn(forum);
    await settleJobs(forum);
    const before = await moderationCounts(forum.db.db);

    expect(expectError(await flag(author.client, postId), 403, 'forbidden').message).toMatch(/own post/);
    expectError(await flag(flagger.client, 999999), 404, 'post_not_found');
    expectError(await flag(flagger.client, gone), 404, 'post_not_found');
    expectError(await flag(anonymous, postId), 401, 'unauthenticated');
    expectError(await flag(flagger.client, postId, { reason: 'boring' }), 400, 'invalid_request', ['reason']);
    expectError(await flag(flagger.client, postId, {}), 400, 'invalid_request', ['reason']);
    expectError(await flag(flagger.client, postId, { reason: 'other', note: 'x'.repeat(501) }), 400, 'invalid_request', ['note']);
    expectError(await flag(flagger.client, postId, { reason: 'other', extra: true }), 400, 'invalid_request', ['extra']);
    expect(await moderationCounts(forum.db.db)).toEqual(before);
  });
});

describe('GET /api/flags and POST /api/flags/:id/resolve', () => {
  it('are for staff: members get 403 and visitors 401', async () => {
    const member = await signedIn(forum, { trustLevel: 4 });
    expectError(await member.client.get('/api/flags'), 403, 'forbidden');
    expectError(await anonymous.get('/api/flags'), 401, 'unauthenticated');
    expectError(await member.client.post('/api/flags/1/resolve', { outcome: 'agreed' }), 403, 'forbidden');
    expectError(await agent.client.get('/api/flags?status=closed'), 400, 'invalid_request', ['status']);
    expectError(await agent.client.get('/api/flags?cursor=abc'), 400, 'invalid', ['cursor']);
  });

  it('resolve a flag once, audited; agreed flags raise the flagger’s trust level', async () => {
    const postId = await postToFlag();
    const flagger = await signedIn(forum, { trustLevel: 2 });
    // one reply in someone else's thread: level 2 by activity; level 3 waits for an agreed flag
    const other = (await agent.client.post('/api/threads', { category: 'help', kind: 'question', title: 'Staff question here', body: 'Anyone?' })).json().thread.id;
    expect((await flagger.client.post(`/api/threads/${other}/posts`, { body: 'Me!' })).statusCode).toBe(201);
    const raised = (await flag(flagger.client, postId, { reason: 'spam' })).json().flag;
    await settleJobs(forum);
    expect(await trustLevelOf(forum.db.db, flagger.actor.id)).toBe(2);

    const response = await agent.client.post(`/api/flags/${raised.id}/resolve`, { outcome: 'agreed', note: 'Removed the spam' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().flag).toMatchObject({ id: raised.id, status: 'agreed', resolvedBy: { id: agent.actor.id }, resolutionNote: 'Removed the spam', resolvedAt: expect.any(String) });
    expectError(await agent.client.post(`/api/flags/${raised.id}/resolve`, { outcome: 'disagreed' }), 409, 'flag_resolved');
    expectError(await agent.client.post('/api/flags/999999/resolve', { outcome: 'agreed' }), 404, 'flag_not_found');
    expectError(await agent.client.post(`/api/flags/${raised.id}/resolve`, { outcome: 'maybe' }), 400, 'invalid_request', ['outcome']);

    const audit = await forum.db.db.execute<{ actor_id: number; reason: string; data: { outcome: string; postId: number } }>(
      sql`select actor_id, reason, data from audit_log where action = 'flag.resolved' and subject_type = 'flag' and subject_id = ${raised.id}`,
    );
    expect(audit.rows).toEqual([{ actor_id: agent.actor.id, reason: 'Removed the spam', data: expect.objectContaining({ outcome: 'agreed', postId }) }]);
    expect(await eventsNamed(forum.db.db, 'flags.flag.resolved')).toContainEqual({ rooms: ['queue'], payload: { flagId: raised.id, postId, outcome: 'agreed' } });

    await settleJobs(forum);
    expect(await trustLevelOf(forum.db.db, flagger.actor.id)).toBe(3);

    // resolved flags leave the open list and show under their outcome; the member may flag again
    expect((await agent.client.get('/api/flags')).json().flags.map((f: { id: number }) => f.id)).not.toContain(raised.id);
    expect((await agent.client.get('/api/flags?status=agreed')).json().flags.map((f: { id: number }) => f.id)).toContain(raised.id);
    expect((await flag(flagger.client, postId, { reason: 'abusive' })).statusCode).toBe(201);
  });

  it('page through open flags oldest first', async () => {
    const postId = await postToFlag();
    const flaggers = await Promise.all([signedIn(forum), signedIn(forum), signedIn(forum)]);
    for (const f of flaggers) expect((await flag(f.client, postId)).statusCode).toBe(201);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { flags: Array<{ id: number }>; nextCursor: string | null } = (await agent.client.get(`/api/flags?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.flags.map((f) => f.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await scalar(forum.db.db, sql`select count(*) from flags where status = 'open'`));
  });
});
