import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { badges, type Actor } from '@forum/core';
import { createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';
import { ApiClient } from '../support/http.js';
import { auditRows, countAudit, offQueue, requested, startWorld, type World } from './setup.js';

// Assisting instead of answering (verify a peer's answer, nudge an expert), taking a thread
// private, and the asker's CSAT once staff resolved the item.

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

const itemRow = async (itemId: number) =>
  (await w.mod.db.db.execute<{ status: string; resolution: string | null; resolved_by_id: number | null }>(sql`select status, resolution, resolved_by_id from queue_items where id = ${itemId}`)).rows[0];
const reputationOf = (userId: number) => scalar(w.mod.db.db, sql`select reputation from users where id = ${userId}`);

describe('POST /api/posts/:id/verify', () => {
  it('marks a peer’s answer as verified by staff, resolves the item as assisted and credits the peer', async () => {
    const { threadId, itemId } = await requested(w);
    const answer = await createReply(w.mod.db.db, w.peer, threadId, 'Clear the app cache, then log in again.', w.clock);
    const before = await reputationOf(w.peer.id);
    const audits = await countAudit(w);

    const response = await w.aliceConsole.post(`/api/posts/${answer.id}/verify`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ postId: answer.id, threadId, staffVerifiedAt: w.clock.now().toISOString() });
    expect(await itemRow(itemId)).toEqual({ status: 'resolved', resolution: 'assisted', resolved_by_id: w.alice.id });
    expect(await reputationOf(w.peer.id)).toBe(before + 10);
    expect(await scalar(w.mod.db.db, sql`select count(*) from reputation_ledger where user_id = ${w.peer.id} and reason = 'staff_verified' and post_id = ${answer.id}`)).toBe(1);
    expect(await countAudit(w)).toBe(audits + 1);
    expect((await auditRows(w, 'post.staff_verified')).filter((r) => r.subject_id === answer.id)).toEqual([
      expect.objectContaining({ actor_id: w.alice.id, subject_type: 'post', data: expect.objectContaining({ threadId, itemId, peerId: w.peer.id }) }),
    ]);

    // the forum shows the mark to everyone
    const page = (await new ApiClient(w.forum.app).get(`/api/threads/${threadId}`)).json();
    expect(page.posts.find((p: any) => p.id === answer.id).staffVerifiedAt).toBe(w.clock.now().toISOString());

    expectError(await w.aliceConsole.post(`/api/posts/${answer.id}/verify`), 409, 'already_verified');
    expect(await reputationOf(w.peer.id)).toBe(before + 10);
  });

  it('refuses the asker’s own posts, staff answers, another agent’s claim, and unknown posts', async () => {
    const { threadId, itemId } = await requested(w);
    const own = await createReply(w.mod.db.db, w.asker, threadId, 'Any news?', w.clock);
    const staff = await createReply(w.mod.db.db, w.bob, threadId, 'Staff reply', w.clock);
    const peer = await createReply(w.mod.db.db, w.peer, threadId, 'Peer answer', w.clock);
    const opening = (await w.askerForum.get(`/api/threads/${threadId}`)).json().posts[0].id;
    for (const id of [own.id, staff.id, opening]) expectError(await w.aliceConsole.post(`/api/posts/${id}/verify`), 409, 'not_peer_answer');
    await w.bobConsole.post(`/api/queue/${itemId}/claim`);
    expectError(await w.aliceConsole.post(`/api/posts/${peer.id}/verify`), 409, 'claimed_by_other');
    expectError(await w.aliceConsole.post('/api/posts/99999999/verify'), 404, 'post_not_found');
    expectError(await w.memberConsole.post(`/api/posts/${peer.id}/verify`), 403, 'forbidden');
    expect((await itemRow(itemId)).status).toBe('claimed');
  });
});

describe('POST /api/threads/:id/nudge', () => {
  it('notifies the expert privately, writes one audit row, and leaves the item open', async () => {
    const { threadId, itemId } = await requested(w);
    const expert = await createMember(w.mod.db.db, { trustLevel: 3 });
    const response = await w.aliceConsole.post(`/api/threads/${threadId}/nudge`, { expertId: expert.id, note: 'You solved this last week' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ threadId, expert: { id: expert.id } });
    expect((await itemRow(itemId)).status).toBe('queued');
    expect((await auditRows(w, 'thread.nudged')).filter((r) => r.subject_id === threadId)).toEqual([
      expect.objectContaining({ actor_id: w.alice.id, reason: 'You solved this last week', data: expect.objectContaining({ expertId: expert.id, itemId }) }),
    ]);
    const notes = (await (await clientAs(w.forum, expert)).get('/api/notifications')).json().notifications;
    expect(notes).toEqual([expect.objectContaining({ kind: 'nudge', link: `/t/${threadId}`, excerpt: 'You solved this last week' })]);
    // the asker hears nothing of it
    const askerNotes = (await w.askerForum.get('/api/notifications')).json().notifications;
    expect(askerNotes.some((n: any) => n.kind === 'nudge')).toBe(false);
    expect((await w.aliceConsole.get(`/api/items/${itemId}/thread`)).json().nudges).toEqual([expect.objectContaining({ expert: expect.objectContaining({ id: expert.id }), by: expect.objectContaining({ id: w.alice.id }) })]);

    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/nudge`, { expertId: expert.id }), 409, 'already_nudged');
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/nudge`, { expertId: w.asker.id }), 400, 'invalid', ['expertId']);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/nudge`, { expertId: w.bob.id }), 400, 'invalid', ['expertId']);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/nudge`, { expertId: 99999999 }), 400, 'invalid', ['expertId']);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/nudge`, { expertId: expert.id, note: 'n'.repeat(501) }), 400, 'invalid_request', ['note']);
    expectError(await w.aliceConsole.post(`/api/threads/${await offQueue(w)}/nudge`, { expertId: expert.id }), 400, 'invalid', ['reason']);
  });
});

describe('GET /api/threads/:id/experts and nudging by handle', () => {
  it('suggests the experts of the thread’s tags (not the asker, not other tags’ experts) and nudges one by handle', async () => {
    const suffix = Math.random().toString(36).slice(2, 7);
    const [webhooks, oauth, mobile] = [`webhooks-${suffix}`, `oauth-${suffix}`, `mobile-${suffix}`];
    const { slug } = await createCategory(w.mod.db.db, { windowMinutes: 10_000, tags: [webhooks, oauth, mobile] });
    const [both, one, elsewhere] = await Promise.all([1, 2, 3].map((n) => createMember(w.mod.db.db, { trustLevel: 2, handle: `expert${n}_${suffix}` })));
    const grant = (member: Actor, tag: string) => badges.grantBadge(ctxFor(w.mod.db.db, w.sue, w.clock), member.handle, { badge: 'expert', tag, reason: 'Knows this well' });
    await grant(both, webhooks);
    await grant(both, oauth);
    await grant(one, oauth);
    await grant(elsewhere, mobile);
    await grant(w.asker, webhooks);
    const { thread } = await createThread(w.mod.db.db, w.asker, { category: slug, tags: [webhooks, oauth], clock: w.clock });
    expect((await w.askerForum.post(`/api/threads/${thread.id}/request-staff`)).statusCode).toBe(201);

    const listed = await w.aliceConsole.get(`/api/threads/${thread.id}/experts`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().experts).toEqual([
      { user: expect.objectContaining({ id: both.id, handle: both.handle }), tags: [oauth, webhooks].sort(), nudged: false },
      { user: expect.objectContaining({ id: one.id }), tags: [oauth], nudged: false },
    ]);

    const audits = await countAudit(w);
    const response = await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { handle: `@${one.handle.toUpperCase()}` });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().expert).toMatchObject({ id: one.id, handle: one.handle });
    expect(await countAudit(w)).toBe(audits + 1);
    expect((await auditRows(w, 'thread.nudged')).filter((r) => r.subject_id === thread.id)).toEqual([
      expect.objectContaining({ actor_id: w.alice.id, data: expect.objectContaining({ expertId: one.id }) }),
    ]);
    expect((await w.aliceConsole.get(`/api/threads/${thread.id}/experts`)).json().experts.map((e: any) => [e.user.id, e.nudged])).toEqual([
      [both.id, false],
      [one.id, true],
    ]);

    expectError(await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { handle: one.handle }), 409, 'already_nudged');
    expectError(await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { handle: 'nobody_by_this_name' }), 400, 'invalid', ['handle']);
    expectError(await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { handle: w.asker.handle }), 400, 'invalid', ['handle']);
    expectError(await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { handle: w.bob.handle }), 400, 'invalid', ['handle']);
    expectError(await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { note: 'Who?' }), 400, 'invalid', ['handle']);
    expectError(await w.aliceConsole.post(`/api/threads/${thread.id}/nudge`, { handle: 'h'.repeat(41) }), 400, 'invalid_request', ['handle']);
    expectError(await w.aliceConsole.get('/api/threads/99999999/experts'), 404, 'thread_not_found');
    expectError(await w.memberConsole.get(`/api/threads/${thread.id}/experts`), 403, 'forbidden');
  });
});

describe('taking a thread private', () => {
  it('opens a private conversation only the asker and staff can read, marks the thread, resolves the item and notifies the asker', async () => {
    const { threadId, itemId } = await requested(w);
    const audits = await countAudit(w);
    const response = await w.aliceConsole.post(`/api/threads/${threadId}/take-private`, { message: 'Could you send us your account number here?' });
    expect(response.statusCode, response.body).toBe(201);
    const conversation = response.json().conversation;
    expect(conversation).toMatchObject({ thread: { id: threadId }, customer: { id: w.asker.id }, openedBy: { id: w.alice.id }, messageCount: 1 });
    expect(conversation.messages).toEqual([expect.objectContaining({ bodyMarkdown: 'Could you send us your account number here?', author: expect.objectContaining({ staff: true }) })]);
    expect(await itemRow(itemId)).toEqual({ status: 'resolved', resolution: 'agent', resolved_by_id: w.alice.id });
    expect(await countAudit(w)).toBe(audits + 1);
    expect((await auditRows(w, 'thread.taken_private')).filter((r) => r.subject_id === threadId)).toHaveLength(1);

    // the public thread says so
    const publicThread = (await new ApiClient(w.forum.app).get(`/api/threads/${threadId}`)).json().thread;
    expect(publicThread.takenPrivateAt).toBe(w.clock.now().toISOString());
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/take-private`, { message: 'again' }), 409, 'already_private');

    // the asker is told, lists it and replies
    const notes = (await w.askerForum.get('/api/notifications')).json().notifications;
    expect(notes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'private_message', link: `/private/${conversation.id}` })]));
    expect((await w.askerForum.get('/api/private')).json().conversations.map((c: any) => c.id)).toEqual([conversation.id]);
    const reply = await w.askerForum.post(`/api/private/${conversation.id}/messages`, { body: 'It is 12345' });
    expect(reply.statusCode, reply.body).toBe(201);

    // staff read and answer from the console (audited); the asker sees it
    const staffView = (await w.bobConsole.get(`/api/conversations/${conversation.id}`)).json().conversation;
    expect(staffView.messages.map((m: any) => m.bodyMarkdown)).toEqual(['Could you send us your account number here?', 'It is 12345']);
    const staffReply = await w.bobConsole.post(`/api/conversations/${conversation.id}/messages`, { body: 'Thanks, fixed.' });
    expect(staffReply.statusCode, staffReply.body).toBe(201);
    expect((await auditRows(w, 'private_message.sent')).filter((r) => r.subject_id === conversation.id)).toHaveLength(1);
    expect((await w.askerForum.get(`/api/private/${conversation.id}`)).json().conversation.messages.at(-1).bodyMarkdown).toBe('Thanks, fixed.');

    // nobody else
    expectError(await w.peerForum.get(`/api/private/${conversation.id}`), 404, 'conversation_not_found');
    expectError(await w.peerForum.post(`/api/private/${conversation.id}/messages`, { body: 'let me in' }), 404, 'conversation_not_found');
    expect((await w.peerForum.get('/api/private')).json().conversations).toEqual([]);
    expectError(await new ApiClient(w.forum.app).get(`/api/private/${conversation.id}`), 401, 'unauthenticated');
    expectError(await w.memberConsole.get(`/api/conversations/${conversation.id}`), 403, 'forbidden');
    expectError(await w.askerForum.post(`/api/private/${conversation.id}/messages`, { body: 'm'.repeat(5_001) }), 400, 'invalid_request', ['body']);
    expectError(await w.askerForum.post(`/api/private/${conversation.id}/messages`, { body: ' ' }), 400, 'invalid', ['body']);
  });

  it('refuses while another agent holds the item, and without a message', async () => {
    const { threadId, itemId } = await requested(w);
    await w.bobConsole.post(`/api/queue/${itemId}/claim`);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/take-private`, { message: 'hi' }), 409, 'claimed_by_other');
    expectError(await w.bobConsole.post(`/api/threads/${threadId}/take-private`, { message: '' }), 400, 'invalid', ['message']);
    expect(await scalar(w.mod.db.db, sql`select count(*) from private_conversations where thread_id = ${threadId}`)).toBe(0);
  });
});

describe('CSAT', () => {
  it('asks the asker once staff resolved the item; one rating per item; the console shows it', async () => {
    const { threadId, itemId } = await requested(w);
    expect((await w.askerForum.get(`/api/threads/${threadId}/csat`)).json()).toEqual({ csat: null });
    expectError(await w.askerForum.post(`/api/threads/${threadId}/csat`, { score: 5 }), 404, 'nothing_to_rate');

    await w.aliceConsole.post(`/api/queue/${itemId}/resolve`);
    expect((await w.askerForum.get(`/api/threads/${threadId}/csat`)).json()).toEqual({ csat: { itemId, resolution: 'agent', given: null } });
    // nobody but the asker is asked or may answer
    expect((await w.peerForum.get(`/api/threads/${threadId}/csat`)).json()).toEqual({ csat: null });
    expectError(await w.peerForum.post(`/api/threads/${threadId}/csat`, { score: 1 }), 403, 'forbidden');
    expectError(await new ApiClient(w.forum.app).post(`/api/threads/${threadId}/csat`, { score: 1 }), 401, 'unauthenticated');
    expectError(await w.askerForum.post(`/api/threads/${threadId}/csat`, { score: 6 }), 400, 'invalid_request', ['score']);
    expectError(await w.askerForum.post(`/api/threads/${threadId}/csat`, { score: 4, comment: 'c'.repeat(1_001) }), 400, 'invalid_request', ['comment']);
    expectError(await w.askerForum.post('/api/threads/99999999/csat', { score: 4 }), 404, 'thread_not_found');

    const given = await w.askerForum.post(`/api/threads/${threadId}/csat`, { score: 4, comment: 'Quick and friendly' });
    expect(given.statusCode, given.body).toBe(201);
    expect(given.json().csat).toMatchObject({ itemId, score: 4, comment: 'Quick and friendly' });
    expectError(await w.askerForum.post(`/api/threads/${threadId}/csat`, { score: 1 }), 409, 'csat_already_given');
    expect((await w.askerForum.get(`/api/threads/${threadId}/csat`)).json().csat.given).toMatchObject({ score: 4 });
    expect((await w.aliceConsole.get(`/api/items/${itemId}/thread`)).json().csat).toMatchObject({ score: 4, comment: 'Quick and friendly' });
    expect(await scalar(w.mod.db.db, sql`select count(*) from csat_responses where item_id = ${itemId}`)).toBe(1);
  });

  it('follows an assisted resolution too, but not a community one', async () => {
    const { threadId, itemId } = await requested(w);
    const answer = await createReply(w.mod.db.db, w.peer, threadId, 'Peer fix', w.clock);
    await w.aliceConsole.post(`/api/posts/${answer.id}/verify`);
    expect((await w.askerForum.get(`/api/threads/${threadId}/csat`)).json().csat).toEqual({ itemId, resolution: 'assisted', given: null });

    const community = await requested(w);
    await w.mod.db.db.execute(sql`update queue_items set status = 'resolved', resolution = 'community', resolved_at = now() where id = ${community.itemId}`);
    expect((await w.askerForum.get(`/api/threads/${community.threadId}/csat`)).json()).toEqual({ csat: null });
  });
});
