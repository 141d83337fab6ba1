import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, PASSWORD } from '../support/factories.js';
import { expectError, scalar, settleJobs, signedIn } from '../support/api.js';
import { moderationCounts } from './support.js';

// The reputation history and staff actions on members, through the HTTP API.

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let admin: Signed;
let agent: Signed;
let member: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'help' });
  [admin, agent, member] = await Promise.all([signedIn(forum, { role: 'admin' }), signedIn(forum, { role: 'agent' }), signedIn(forum, { trustLevel: 1 })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

const later = (minutes: number) => new Date(forum.clock.now().getTime() + minutes * 60_000).toISOString();

describe('GET /api/users/:handle/reputation', () => {
  it('lists the history newest first with links to the posts, a page at a time, and the total', async () => {
    const [asker, helper, voter] = await Promise.all([signedIn(forum), signedIn(forum), signedIn(forum)]);
    const thread = (await asker.client.post('/api/threads', { category: 'help', kind: 'question', title: 'Export stuck at 99%', body: 'Any idea?' })).json().thread;
    const answer = (await helper.client.post(`/api/threads/${thread.id}/posts`, { body: 'Clear the cache.' })).json().post;
    await voter.client.put(`/api/posts/${answer.id}/vote`, { value: 1 });
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    await voter.client.delete(`/api/posts/${answer.id}/vote`);

    const first = await anonymous.get(`/api/users/${helper.actor.handle.toUpperCase()}/reputation?limit=2`);
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json();
    expect(page.user).toEqual({ handle: helper.actor.handle, displayName: helper.actor.displayName, reputation: 15, trustLevel: expect.any(Number) });
    const post = { id: answer.id, threadId: thread.id, threadTitle: 'Export stuck at 99%', path: `/t/${thread.id}#post-${answer.id}` };
    expect(page.entries).toEqual([
      { id: expect.any(Number), reason: 'answer_upvoted', points: -10, undo: true, post, createdAt: expect.any(String) },
      { id: expect.any(Number), reason: 'answer_accepted', points: 15, undo: false, post, createdAt: expect.any(String) },
    ]);
    const rest = (await anonymous.get(`/api/users/${helper.actor.handle}/reputation?limit=2&cursor=${page.nextCursor}`)).json();
    expect(rest.entries.map((e: { reason: string; points: number }) => [e.reason, e.points])).toEqual([['answer_upvoted', 10]]);
    expect(rest.nextCursor).toBeNull();
    // who voted is not part of the history
    expect(JSON.stringify(rest)).not.toContain(voter.actor.handle);

    // the post link goes once the post is gone; the entry stays
    await asker.client.delete(`/api/threads/${thread.id}`);
    const after = (await anonymous.get(`/api/users/${helper.actor.handle}/reputation`)).json();
    expect(after.entries.map((e: { post: unknown }) => e.post)).toEqual([null, null, null]);
    expect(after.user.reputation).toBe(15);
  });

  it('answers 404 for an unknown member and 400 for a bad cursor or limit', async () => {
    expectError(await anonymous.get('/api/users/nobody_here/reputation'), 404, 'member_not_found');
    expectError(await anonymous.get(`/api/users/${member.actor.handle}/reputation?cursor=bogus`), 400, 'invalid', ['cursor']);
    expectError(await anonymous.get(`/api/users/${member.actor.handle}/reputation?limit=0`), 400, 'invalid_request', ['limit']);
  });
});

describe('profile and session', () => {
  it('show trust level and reputation to everyone, and silence and suspension to staff only', async () => {
    const target = await signedIn(forum, { trustLevel: 2 });
    await agent.client.post(`/api/users/${target.actor.handle}/silence`, { until: later(90), reason: 'Off-topic flood' });
    const seenByMember = (await member.client.get(`/api/users/${target.actor.handle}`)).json().user;
    expect(seenByMember).toMatchObject({ trustLevel: 2, reputation: 0 });
    expect(seenByMember).not.toHaveProperty('silencedUntil');
    const seenByStaff = (await agent.client.get(`/api/users/${target.actor.handle}`)).json().user;
    expect(seenByStaff).toMatchObject({ trustLevel: 2, reputation: 0, silencedUntil: later(90), suspendedUntil: null, trustLevelLocked: false });
    expect((await target.client.get('/api/session')).json().user).toMatchObject({ trustLevel: 2, reputation: 0, silenced: true });
  });
});

describe('PUT /api/users/:handle/trust-level', () => {
  it('lets an admin set and lock a level, audited with the reason', async () => {
    const target = await signedIn(forum);
    const response = await admin.client.put(`/api/users/${target.actor.handle}/trust-level`, { level: 3, locked: true, reason: 'Long-time helper from the old forum' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().member).toMatchObject({ handle: target.actor.handle, trustLevel: 3, trustLevelLocked: true });
    expect(await scalar(forum.db.db, sql`select count(*) from audit_log where action = 'member.trust_level_set' and subject_id = ${target.actor.id} and actor_id = ${admin.actor.id}`)).toBe(1);
    // the member's next request already has the new level: a level-3 member may retitle others' threads
    const thread = (await member.client.post('/api/threads', { category: 'help', kind: 'question', title: 'bad title here', body: 'b' })).json().thread;
    expect((await target.client.patch(`/api/threads/${thread.id}`, { title: 'A much better title' })).statusCode).toBe(200);
  });

  it('refuses agents and members (403), visitors (401), unknown members (404) and bad input (400)', async () => {
    const target = await signedIn(forum);
    await settleJobs(forum);
    const before = await moderationCounts(forum.db.db);
    const body = { level: 2, locked: false, reason: 'Because I say so' };
    expectError(await agent.client.put(`/api/users/${target.actor.handle}/trust-level`, body), 403, 'forbidden');
    expectError(await member.client.put(`/api/users/${target.actor.handle}/trust-level`, body), 403, 'forbidden');
    expectError(await anonymous.put(`/api/users/${target.actor.handle}/trust-level`, body), 401, 'unauthenticated');
    expectError(await admin.client.put('/api/users/nobody_here/trust-level', body), 404, 'member_not_found');
    expectError(await admin.client.put(`/api/users/${target.actor.handle}/trust-level`, { ...body, level: 5 }), 400, 'invalid_request', ['level']);
    expectError(await admin.client.put(`/api/users/${target.actor.handle}/trust-level`, { ...body, level: '2' }), 400, 'invalid_request', ['level']);
    expectError(await admin.client.put(`/api/users/${target.actor.handle}/trust-level`, { level: 2, locked: false }), 400, 'invalid_request', ['reason']);
    expectError(await admin.client.put(`/api/users/${target.actor.handle}/trust-level`, { ...body, reason: '  no ' }), 400, 'invalid', ['reason']);
    expectError(await admin.client.put(`/api/users/${agent.actor.handle}/trust-level`, body), 403, 'forbidden');
    expect(await moderationCounts(forum.db.db)).toEqual(before);
    expect(await scalar(forum.db.db, sql`select trust_level from users where id = ${target.actor.id}`)).toBe(0);
  });
});

describe('silence', () => {
  it('is for staff, on members only, with a reason and a time in the future', async () => {
    const target = await signedIn(forum);
    const ok = { until: later(60), reason: 'Cooling off' };
    expectError(await member.client.post(`/api/users/${target.actor.handle}/silence`, ok), 403, 'forbidden');
    expectError(await anonymous.post(`/api/users/${target.actor.handle}/silence`, ok), 401, 'unauthenticated');
    expectError(await member.client.post('/api/users/nobody_here/silence', ok), 403, 'forbidden');
    expectError(await agent.client.post('/api/users/nobody_here/silence', ok), 404, 'member_not_found');
    expectError(await agent.client.post(`/api/users/${admin.actor.handle}/silence`, ok), 403, 'forbidden');
    expectError(await agent.client.post(`/api/users/${agent.actor.handle}/silence`, ok), 403, 'forbidden');
    expectError(await agent.client.post(`/api/users/${target.actor.handle}/silence`, { ...ok, until: later(-5) }), 400, 'invalid', ['until']);
    expectError(await agent.client.post(`/api/users/${target.actor.handle}/silence`, { ...ok, until: 'tomorrow' }), 400, 'invalid_request', ['until']);
    expectError(await agent.client.post(`/api/users/${target.actor.handle}/silence`, { until: later(60) }), 400, 'invalid_request', ['reason']);
    expectError(await agent.client.delete(`/api/users/${target.actor.handle}/silence`), 409, 'not_silenced');

    expect((await agent.client.post(`/api/users/${target.actor.handle}/silence`, ok)).statusCode).toBe(200);
    const lifted = await agent.client.delete(`/api/users/${target.actor.handle}/silence?reason=Apologised%20in%20DM`);
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json().member.silencedUntil).toBeNull();
    const audit = await forum.db.db.execute<{ action: string; reason: string | null }>(sql`select action, reason from audit_log where subject_type = 'user' and subject_id = ${target.actor.id} order by id`);
    expect(audit.rows).toEqual([
      { action: 'member.silenced', reason: 'Cooling off' },
      { action: 'member.unsilenced', reason: 'Apologised in DM' },
    ]);
  });
});

describe('suspension', () => {
  it('ends the member’s sessions at once, refuses their log-in with 403 account_suspended, and drops their level', async () => {
    const target = await signedIn(forum, { trustLevel: 2 });
    const secondTab = new ApiClient(forum.app);
    await secondTab.login(target.actor.handle, PASSWORD);
    expect((await target.client.get('/api/session')).json().user.id).toBe(target.actor.id);

    const response = await agent.client.post(`/api/users/${target.actor.handle}/suspend`, { until: later(24 * 60), reason: 'Harassing other members' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().member).toMatchObject({ trustLevel: 0, suspendedUntil: later(24 * 60) });

    for (const client of [target.client, secondTab]) {
      expect((await client.get('/api/session')).json().user).toBeNull();
      expectError(await client.post('/api/threads', { category: 'help', kind: 'question', title: 'Am I still here?', body: 'Hello?' }), 401, 'unauthenticated');
    }
    const login = await new ApiClient(forum.app).post('/api/auth/login', { login: target.actor.handle, password: PASSWORD });
    expect(expectError(login, 403, 'account_suspended').message).toContain(later(24 * 60));
    expect(await scalar(forum.db.db, sql`select count(*) from audit_log where action = 'member.suspended' and subject_id = ${target.actor.id} and reason = 'Harassing other members'`)).toBe(1);
    expect((await agent.client.get(`/api/users/${target.actor.handle}`)).json().user.suspendedUntil).toBe(later(24 * 60));

    // lifting it lets them log in again (at level 0)
    expectError(await member.client.delete(`/api/users/${target.actor.handle}/suspend`), 403, 'forbidden');
    expect((await agent.client.delete(`/api/users/${target.actor.handle}/suspend`)).statusCode).toBe(200);
    expectError(await agent.client.delete(`/api/users/${target.actor.handle}/suspend`), 409, 'not_suspended');
    const back = await new ApiClient(forum.app).login(target.actor.handle, PASSWORD);
    expect(back).toMatchObject({ id: target.actor.id, trustLevel: 0 });
  });

  it('ends by itself when its time passes', async () => {
    const target = await signedIn(forum);
    await agent.client.post(`/api/users/${target.actor.handle}/suspend`, { until: later(30), reason: 'Short break' });
    expectError(await new ApiClient(forum.app).post('/api/auth/login', { login: target.actor.handle, password: PASSWORD }), 403, 'account_suspended');
    forum.clock.advance(31);
    expect((await new ApiClient(forum.app).login(target.actor.handle, PASSWORD)).id).toBe(target.actor.id);
  });

  it('is refused on staff and without a reason', async () => {
    const target = await signedIn(forum);
    expectError(await agent.client.post(`/api/users/${admin.actor.handle}/suspend`, { until: later(60), reason: 'No' + 'pe' }), 403, 'forbidden');
    expectError(await agent.client.post(`/api/users/${target.actor.handle}/suspend`, { until: later(60), reason: '' }), 400, 'invalid_request', ['reason']);
    expectError(await agent.client.post(`/api/users/${target.actor.handle}/suspend`, { until: later(60 * 24 * 365 * 11), reason: 'Forever and more' }), 400, 'invalid', ['until']);
  });
});
