import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createReply } from '../support/factories.js';
import { expectError, scalar } from '../support/api.js';
import { ApiClient } from '../support/http.js';
import { auditRows, countAudit, offQueue, requested, startWorld, type World } from './setup.js';

// Staff replies from the console, collision control, approval drafts, canned responses and
// internal notes, over HTTP with the audit rows each action writes.

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

const postCount = (threadId: number) => scalar(w.mod.db.db, sql`select count(*) from posts where thread_id = ${threadId}`);

describe('GET /api/items/:id/thread', () => {
  it('shows the item, every post (hidden ones marked, with their text), and the asker’s summary', async () => {
    const earlier = await requested(w);
    await w.aliceConsole.post(`/api/queue/${earlier.itemId}/resolve`);
    const { threadId, itemId } = await requested(w);
    const peerPost = await createReply(w.mod.db.db, w.peer, threadId, 'Try turning it off and on.', w.clock);
    await w.mod.db.db.execute(sql`update posts set hidden_at = now() where id = ${peerPost.id}`);

    const response = await w.aliceConsole.get(`/api/items/${itemId}/thread`);
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json();
    expect(view.item).toMatchObject({ id: itemId, reasons: ['requested'], status: 'queued' });
    expect(view.thread.id).toBe(threadId);
    expect(view.posts.map((p: any) => [p.position, p.hidden, p.peerAnswer])).toEqual([
      [1, false, false],
      [2, true, true],
    ]);
    expect(view.posts[1].bodyMarkdown).toBe('Try turning it off and on.');
    expect(view.asker).toMatchObject({ user: { id: w.asker.id, handle: w.asker.handle }, trustLevel: 1, priorThreads: 1 });
    expect(view.asker.priorItems).toEqual([expect.objectContaining({ id: earlier.itemId, threadId: earlier.threadId, status: 'resolved', resolution: 'agent' })]);
    expect(view).toMatchObject({ replyApproval: false, notes: [], drafts: [], conversations: [], csat: null, nudges: [] });
  });

  it('refuses members (403) and strangers (401), and says 404 for unknown items', async () => {
    expectError(await w.memberConsole.get('/api/items/1/thread'), 403, 'forbidden');
    expectError(await new ApiClient(w.mod.app).get('/api/items/1/thread'), 401, 'unauthenticated');
    expectError(await w.aliceConsole.get('/api/items/99999999/thread'), 404, 'queue_item_not_found');
  });
});

describe('POST /api/threads/:id/staff-replies', () => {
  it('posts a staff reply in the forum, touches the item and writes one audit row', async () => {
    const { threadId, itemId } = await requested(w);
    await w.aliceConsole.post(`/api/queue/${itemId}/claim`);
    w.clock.advance(5);
    const before = await countAudit(w);
    const response = await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Staff here: reset your password from Settings.' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ published: true, draft: null, post: { author: { id: w.alice.id, staff: true, role: 'agent' } } });
    expect(await countAudit(w)).toBe(before + 1);
    const [row] = (await auditRows(w, 'thread.staff_replied')).filter((r) => r.subject_id === threadId);
    expect(row).toMatchObject({ actor_id: w.alice.id, subject_type: 'thread', data: { itemId, postId: response.json().post.id } });

    // the forum shows it as staff; the queue's job records the agent's first response
    const page = (await w.askerForum.get(`/api/threads/${threadId}`)).json();
    expect(page.posts.at(-1)).toMatchObject({ bodyMarkdown: 'Staff here: reset your password from Settings.', author: { staff: true } });
    await w.runJobs();
    const item = await w.mod.db.db.execute<{ first: Date; last: Date }>(sql`select first_agent_response_at as first, last_agent_activity_at as last from queue_items where id = ${itemId}`);
    expect(new Date(item.rows[0].first).toISOString()).toBe(w.clock.now().toISOString());
    expect(new Date(item.rows[0].last).toISOString()).toBe(w.clock.now().toISOString());
  });

  it('refuses agent B with 409 claimed_by_other while agent A holds the item, and posts nothing', async () => {
    const { threadId, itemId } = await requested(w);
    await w.aliceConsole.post(`/api/queue/${itemId}/claim`);
    const posts = await postCount(threadId);
    const audits = await countAudit(w);
    const error = expectError(await w.bobConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Me too' }), 409, 'claimed_by_other');
    expect(error.message).toContain(w.alice.handle);
    expect(await postCount(threadId)).toBe(posts);
    expect(await countAudit(w)).toBe(audits);
  });

  it('needs a reason on a thread that is not in the queue, and records it', async () => {
    const threadId = await offQueue(w);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Hello' }), 400, 'invalid', ['reason']);
    expect(await postCount(threadId)).toBe(1);
    const response = await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Hello', reason: 'Customer emailed us about it' });
    expect(response.statusCode, response.body).toBe(201);
    const [row] = (await auditRows(w, 'thread.staff_replied')).filter((r) => r.subject_id === threadId);
    expect(row.reason).toBe('Customer emailed us about it');
  });

  it('refuses bad input (400), members (403) and unknown threads (404)', async () => {
    const { threadId } = await requested(w);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: '   ' }), 400, 'invalid', ['body']);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'x'.repeat(20_001) }), 400, 'invalid_request', ['body']);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'ok', reason: 'r'.repeat(501) }), 400, 'invalid_request', ['reason']);
    expectError(await w.memberConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'ok' }), 403, 'forbidden');
    expectError(await w.aliceConsole.post('/api/threads/99999999/staff-replies', { body: 'ok', reason: 'x' }), 404, 'thread_not_found');
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'ok', cannedResponseId: 99999999 }), 404, 'canned_response_not_found');
    expect(await postCount(threadId)).toBe(1);
  });
});

describe('supervisor approval of agents’ replies', () => {
  it('holds an agent’s reply as a draft; a supervisor returns it, the agent resubmits, the supervisor approves it once', async () => {
    const { threadId, itemId } = await requested(w, { replyApproval: true });
    // the item page tells the agent before they write that their reply will wait for approval
    expect((await w.aliceConsole.get(`/api/items/${itemId}/thread`)).json().replyApproval).toBe(true);
    const sent = await w.aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Draft answer v1' });
    expect(sent.statusCode, sent.body).toBe(202);
    const draft = sent.json().draft;
    expect(draft).toMatchObject({ status: 'pending', author: { id: w.alice.id }, thread: { id: threadId }, itemId });
    expect(await postCount(threadId)).toBe(1);
    expect((await auditRows(w, 'draft.submitted')).filter((r) => r.subject_id === draft.id)).toHaveLength(1);

    // agents cannot review
    expectError(await w.bobConsole.get('/api/drafts'), 403, 'forbidden');
    expectError(await w.bobConsole.post(`/api/drafts/${draft.id}/approve`), 403, 'forbidden');

    const pending = (await w.sueConsole.get('/api/drafts')).json().drafts;
    expect(pending.map((d: any) => d.id)).toContain(draft.id);

    expectError(await w.sueConsole.post(`/api/drafts/${draft.id}/return`, { note: '' }), 400, 'invalid', ['note']);
    const returned = await w.sueConsole.post(`/api/drafts/${draft.id}/return`, { note: 'Link the help article, please' });
    expect(returned.json().draft).toMatchObject({ status: 'returned', reviewNote: 'Link the help article, please', reviewer: { id: w.sue.id } });
    expect((await auditRows(w, 'draft.returned')).filter((r) => r.subject_id === draft.id)).toHaveLength(1);

    // the agent sees the note on the item page and resubmits; nobody else may
    const view = (await w.aliceConsole.get(`/api/items/${itemId}/thread`)).json();
    expect(view.drafts).toEqual([expect.objectContaining({ id: draft.id, status: 'returned', reviewNote: 'Link the help article, please' })]);
    expectError(await w.bobConsole.put(`/api/drafts/${draft.id}`, { body: 'hijack' }), 403, 'forbidden');
    const resubmitted = await w.aliceConsole.put(`/api/drafts/${draft.id}`, { body: 'Draft answer v2, see https://example.com/help' });
    expect(resubmitted.json().draft).toMatchObject({ status: 'pending', body: 'Draft answer v2, see https://example.com/help' });

    const approved = await w.sueConsole.post(`/api/drafts/${draft.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().draft).toMatchObject({ status: 'approved', reviewer: { id: w.sue.id } });
    const page = (await w.askerForum.get(`/api/threads/${threadId}`)).json();
    expect(page.posts.at(-1)).toMatchObject({ id: approved.json().draft.postId, bodyMarkdown: 'Draft answer v2, see https://example.com/help', author: { id: w.alice.id, staff: true } });
    expect((await auditRows(w, 'draft.approved')).filter((r) => r.subject_id === draft.id)).toHaveLength(1);

    const audits = await countAudit(w);
    expectError(await w.sueConsole.post(`/api/drafts/${draft.id}/approve`), 409, 'draft_not_pending');
    expectError(await w.sueConsole.post(`/api/drafts/${draft.id}/return`, { note: 'late' }), 409, 'draft_not_pending');
    expectError(await w.sueConsole.post('/api/drafts/99999999/approve'), 404, 'draft_not_found');
    expect(await postCount(threadId)).toBe(2);
    expect(await countAudit(w)).toBe(audits);
  });

  it('publishes a supervisor’s own reply at once', async () => {
    const { threadId } = await requested(w, { replyApproval: true });
    const response = await w.sueConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Supervisor answer' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().published).toBe(true);
  });
});

describe('canned responses', () => {
  it('supervisors add, edit and remove them (one audit row each); agents list and fill them but cannot manage them', async () => {
    const body = 'Hi {customer.name} (@{customer.handle}), {agent.name} here about “{thread.title}” in {category.name}.';
    expectError(await w.aliceConsole.post('/api/canned-responses', { title: 'Greeting', body }), 403, 'forbidden');
    const created = await w.sueConsole.post('/api/canned-responses', { title: 'Greeting', body });
    expect(created.statusCode, created.body).toBe(201);
    const canned = created.json().cannedResponse;
    expect(canned).toMatchObject({ title: 'Greeting', body, createdBy: { id: w.sue.id } });
    expect((await auditRows(w, 'canned_response.created')).filter((r) => r.subject_id === canned.id)).toHaveLength(1);

    const list = (await w.aliceConsole.get('/api/canned-responses')).json().cannedResponses;
    expect(list.map((c: any) => c.id)).toContain(canned.id);

    const { threadId } = await requested(w, { title: 'Cannot log in on mobile' });
    const rendered = await w.aliceConsole.post(`/api/canned-responses/${canned.id}/render`, { threadId });
    expect(rendered.statusCode, rendered.body).toBe(200);
    const category = (await w.askerForum.get(`/api/threads/${threadId}`)).json().thread.category.name;
    expect(rendered.json().text).toBe(`Hi ${w.asker.displayName} (@${w.asker.handle}), ${w.alice.displayName} here about “Cannot log in on mobile” in ${category}.`);

    expectError(await w.aliceConsole.put(`/api/canned-responses/${canned.id}`, { title: 'x', body: 'y' }), 403, 'forbidden');
    const updated = await w.sueConsole.put(`/api/canned-responses/${canned.id}`, { title: 'Greeting v2', body: 'Hello {customer.name}' });
    expect(updated.json().cannedResponse).toMatchObject({ title: 'Greeting v2', body: 'Hello {customer.name}' });
    expect((await auditRows(w, 'canned_response.updated')).find((r) => r.subject_id === canned.id)?.data).toMatchObject({ before: { title: 'Greeting' }, after: { title: 'Greeting v2' } });

    expectError(await w.aliceConsole.delete(`/api/canned-responses/${canned.id}`), 403, 'forbidden');
    expect((await w.sueConsole.delete(`/api/canned-responses/${canned.id}`)).statusCode).toBe(204);
    expect((await w.aliceConsole.get('/api/canned-responses')).json().cannedResponses.map((c: any) => c.id)).not.toContain(canned.id);
    expectError(await w.aliceConsole.post(`/api/canned-responses/${canned.id}/render`, { threadId }), 404, 'canned_response_not_found');
    expect((await auditRows(w, 'canned_response.deleted')).filter((r) => r.subject_id === canned.id)).toHaveLength(1);
  });

  it('names an unknown variable (400), and bounds title and body', async () => {
    const bad = expectError(await w.sueConsole.post('/api/canned-responses', { title: 'Order', body: 'Your order {order.id} for {customer.name}' }), 400, 'invalid', ['body']);
    expect(bad.fields!.body).toContain('{order.id}');
    expectError(await w.sueConsole.post('/api/canned-responses', { title: 't'.repeat(121), body: 'x' }), 400, 'invalid_request', ['title']);
    expectError(await w.sueConsole.post('/api/canned-responses', { title: 'ok', body: 'b'.repeat(5_001) }), 400, 'invalid_request', ['body']);
    expectError(await w.sueConsole.post('/api/canned-responses', { title: ' ', body: 'x' }), 400, 'invalid', ['title']);
    expectError(await w.sueConsole.put('/api/canned-responses/99999999', { title: 'x', body: 'y' }), 404, 'canned_response_not_found');
    expectError(await w.memberConsole.get('/api/canned-responses'), 403, 'forbidden');
  });
});

describe('internal notes', () => {
  it('are listed on the item page and never appear in the forum API or pages, for the asker or anyone else', async () => {
    const { threadId, itemId } = await requested(w);
    const secret = 'Internal: customer is on the legacy plan, refund pending';
    const response = await w.aliceConsole.post(`/api/threads/${threadId}/notes`, { body: secret });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().note).toMatchObject({ body: secret, author: { id: w.alice.id }, itemId });
    expect((await auditRows(w, 'note.added')).filter((r) => r.subject_id === threadId)).toHaveLength(1);
    expect((await w.bobConsole.get(`/api/items/${itemId}/thread`)).json().notes.map((n: any) => n.body)).toEqual([secret]);

    for (const client of [w.askerForum, w.peerForum, new ApiClient(w.forum.app)]) {
      const api = await client.get(`/api/threads/${threadId}`);
      expect(api.statusCode).toBe(200);
      expect(api.body).not.toContain('legacy plan');
    }
  });

  it('bounds the note (400), needs a reason off the queue, and refuses members', async () => {
    const { threadId } = await requested(w);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/notes`, { body: 'n'.repeat(5_001) }), 400, 'invalid_request', ['body']);
    expectError(await w.aliceConsole.post(`/api/threads/${threadId}/notes`, { body: '' }), 400, 'invalid', ['body']);
    expectError(await w.memberConsole.post(`/api/threads/${threadId}/notes`, { body: 'hi' }), 403, 'forbidden');
    expectError(await w.aliceConsole.post(`/api/threads/${await offQueue(w)}/notes`, { body: 'hi' }), 400, 'invalid', ['reason']);
  });
});
