import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, directoryConnector, jobHandlers, queue, runDueJobs, type Actor, type CoreConfig } from '@forum/core';
import { clientAs, expectError, rawRequest, scalar } from '../support/api.js';
import { startForum, startModeration } from '../support/apps.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { ApiClient } from '../support/http.js';

// Escalating a thread to a CRM case (the built-in directory as the CRM): the case carries the
// transcript and a link back, the public thread says only that support took it over, case
// changes arrive by signed webhook and by polling, and a closed case gives the agent a public
// answer drafted without the customer's personal data.

const SECRET = 'whsec-test-0123456789';
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
const config: CoreConfig = { ...relaxedConfig, crm: { ...relaxedConfig.crm, webhookSecret: SECRET, forumUrl: 'https://community.example' } };

let mod: Awaited<ReturnType<typeof startModeration>>;
let site: Awaited<ReturnType<typeof startForum>>;
let agent: Actor;
let agentConsole: ApiClient;
let otherAgentConsole: ApiClient;
let grace: Actor;
let slug: string;

const db = () => mod.db.db;
const runJobs = () => runDueJobs({ db: db(), now: clock.now, config }, jobHandlers);
const directory = () => directoryConnector(db(), clock.now);

async function escalationRow(id: number) {
  const { rows } = await db().execute<{ status: string; case_id: string | null; attempts: number; draft_answer: string | null; resolution: string | null }>(
    sql`select status, case_id, attempts, draft_answer, resolution from crm_escalations where id = ${id}`,
  );
  return rows[0];
}

/** A thread by grace that asked for staff: its open queue item. */
async function askingThread(title: string, body = 'The export button does nothing since Monday. Tried two browsers.') {
  const { thread } = await createThread(db(), grace, { category: slug, title, body, clock });
  await queue.requestStaff(ctxFor(db(), grace, clock, config), thread.id);
  const { items } = await queue.listQueue(ctxFor(db(), agent, clock, config), { status: 'open', limit: 50 });
  const item = items.find((i) => i.thread.id === thread.id)!;
  return { threadId: thread.id, itemId: item.id };
}

function webhook(events: unknown[], options: { secret?: string; at?: Date; signature?: string } = {}) {
  const body = JSON.stringify({ events });
  const signature = options.signature ?? crm.signWebhook(options.secret ?? SECRET, body, options.at ?? clock.now());
  return rawRequest(mod.app, 'POST', '/api/crm/webhooks/cases', { headers: { 'content-type': 'application/json', 'x-crm-signature': signature }, payload: body });
}

async function publicThread(threadId: number) {
  const response = await site.app.inject({ method: 'GET', url: `/api/threads/${threadId}` });
  expect(response.statusCode).toBe(200);
  return { body: response.body, thread: response.json().thread };
}

beforeAll(async () => {
  mod = await startModeration({ clock, config });
  site = await startForum({ database: mod.db, clock, config, jobs: false });
  const admin = await createMember(db(), { role: 'admin' });
  agent = await createMember(db(), { role: 'agent' });
  const otherAgent = await createMember(db(), { role: 'agent' });
  agentConsole = await clientAs(mod, agent, { app: 'moderation' });
  otherAgentConsole = await clientAs(mod, otherAgent, { app: 'moderation' });
  await crm.importContactsCsv(ctxFor(db(), admin, clock), {
    csv: ['"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Tier"', '"0031","Grace","Hopper","grace@navy.example","US Navy","0011","vip"'].join('\n'),
  });
  grace = await createMember(db(), { email: 'grace@navy.example' });
  await db().execute(sql`update users set display_name = 'Grace Hopper' where id = ${grace.id}`);
  const [contact] = await crm.searchContacts(ctxFor(db(), agent, clock), 'grace@navy.example');
  await crm.linkMember(ctxFor(db(), agent, clock, config), grace.handle, { contactId: contact.id });
  slug = (await createCategory(db(), { windowMinutes: 60 })).slug;
});
afterAll(async () => {
  await site?.close();
  await mod?.close();
});

describe('escalating a thread to a CRM case', () => {
  let threadId: number;
  let escalationId: number;

  it('records the escalation at once, resolves the item, and creates the case with the transcript and a link back', async () => {
    const asked = await askingThread('Export button does nothing');
    threadId = asked.threadId;
    await createReply(db(), agent, threadId, 'Could you try clearing the cache?', clock);
    const response = await agentConsole.post(`/api/items/${asked.itemId}/escalate`, { note: 'Cache cleared, still broken; needs engineering' });
    expect(response.statusCode, response.body).toBe(201);
    const { escalation } = response.json();
    escalationId = escalation.id;
    expect(escalation).toMatchObject({ threadId, status: 'pending_sync', caseId: null, connector: 'directory', escalatedBy: { handle: agent.handle } });
    expect((await queue.getQueueItem(ctxFor(db(), agent, clock, config), asked.itemId)).status).toBe('resolved');

    await runJobs();
    const row = await escalationRow(escalationId);
    expect(row.status).toBe('open');
    expect(row.case_id).not.toBeNull();
    const theCase = await directory().getCase(row.case_id!);
    expect(theCase?.subject).toBe('Export button does nothing');
    const { rows } = await db().execute<{ description: string }>(sql`select description from crm_cases where id = ${Number(row.case_id)}`);
    expect(rows[0].description).toContain(`https://community.example/t/${threadId}`);
    expect(rows[0].description).toContain('The export button does nothing since Monday');
    expect(rows[0].description).toContain('Could you try clearing the cache?');
    expect(rows[0].description).toContain('needs engineering');
    // running the jobs again creates nothing more
    await runJobs();
    expect(await scalar(db(), sql`select count(*) from crm_cases`)).toBe(1);
  });

  it('shows the public only that support took the thread over: no case id, no note, no CRM data', async () => {
    const { thread, body } = await publicThread(threadId);
    expect(thread.support).toEqual({ since: clock.now().toISOString(), resolvedAt: null });
    const row = await escalationRow(escalationId);
    expect(body).not.toContain('needs engineering');
    expect(body).not.toMatch(/case_?id|crm|escalat/i);
    expect(body).not.toContain(`"${row.case_id}"`);
    const member = await clientAs(site, grace);
    const asAsker = await member.get(`/api/threads/${threadId}`);
    expect(asAsker.body).not.toContain('needs engineering');
    expect(asAsker.json().thread.support.since).toBe(clock.now().toISOString());
    // the item resolved when support took over, but the asker is not asked to rate help still under way
    const csat = await member.get(`/api/threads/${threadId}/csat`);
    expect(csat.statusCode, csat.body).toBe(200);
    expect(csat.json().csat).toBeNull();
  });

  it('refuses a bad or expired webhook signature with 401 and changes nothing', async () => {
    const row = await escalationRow(escalationId);
    const event = { id: 'evt-1', caseId: row.case_id, status: 'closed', resolution: 'Fixed', updatedAt: new Date(clock.now().getTime() + 60_000).toISOString() };
    expectError(await webhook([event], { secret: 'not-the-secret' }), 401, 'unauthenticated');
    expectError(await webhook([event], { signature: 'garbage' }), 401, 'unauthenticated');
    expectError(await webhook([event], { at: new Date(clock.now().getTime() - 10 * 60_000) }), 401, 'unauthenticated');
    const unsigned = await rawRequest(mod.app, 'POST', '/api/crm/webhooks/cases', { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ events: [event] }) });
    expectError(unsigned, 401, 'unauthenticated');
    expect((await escalationRow(escalationId)).status).toBe('open');
    expect(await scalar(db(), sql`select count(*) from crm_webhook_receipts`)).toBe(0);
  });

  it('names the bad field of a signed but malformed delivery with 400', async () => {
    const response = await webhook([{ id: 'evt-x', caseId: '1', status: 'solved', updatedAt: 'yesterday' }]);
    expectError(response, 400, 'invalid', ['events[0].status']);
  });

  it('closes the case by webhook once, however often the delivery is replayed, and drafts an answer without personal data', async () => {
    const row = await escalationRow(escalationId);
    clock.advance(30);
    const resolution =
      'Grace Hopper called from +49 30 1234567 (grace@navy.example). Her card 4111 1111 1111 1111 was charged twice; we refunded it. ' +
      'The export bug was fixed in release 4.2: exports now finish within a minute.';
    const event = { id: 'evt-2', caseId: row.case_id, contactId: null, status: 'closed', resolution, updatedAt: clock.now().toISOString() };
    const first = await webhook([event]);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ applied: 1, duplicates: 0, ignored: 0 });
    const replay = await webhook([event]);
    expect(replay.json()).toEqual({ applied: 0, duplicates: 1, ignored: 0 });

    const after = await escalationRow(escalationId);
    expect(after.status).toBe('closed');
    expect(after.draft_answer).toContain('fixed in release 4.2');
    for (const secret of ['Grace', 'Hopper', '1234567', 'grace@navy', '4111']) expect(after.draft_answer).not.toContain(secret);

    const { thread } = await publicThread(threadId);
    expect(thread.support.resolvedAt).toBe(clock.now().toISOString());
    // now the asker may rate the help
    const csat = await (await clientAs(site, grace)).get(`/api/threads/${threadId}/csat`);
    expect(csat.json().csat).toMatchObject({ resolution: 'agent', given: null });
    const { escalations } = (await agentConsole.get('/api/escalations')).json();
    expect(escalations[0]).toMatchObject({ id: escalationId, status: 'closed', needsAction: true });
  });

  it('forgets webhook event ids after a month, keeping newer ones', async () => {
    const kept = await scalar(db(), sql`select count(*) from crm_webhook_receipts`);
    expect(kept).toBeGreaterThan(0);
    // received just now: a prune of older ones leaves them
    expect(await crm.pruneWebhookReceipts(db(), new Date(clock.now().getTime() - 1))).toBe(0);
    expect(await crm.pruneWebhookReceipts(db(), new Date(clock.now().getTime() + 1))).toBe(kept);
    expect(await scalar(db(), sql`select count(*) from crm_webhook_receipts`)).toBe(0);
  });

  it('ignores an older update arriving late', async () => {
    const row = await escalationRow(escalationId);
    const late = await webhook([{ id: 'evt-old', caseId: row.case_id, status: 'open', updatedAt: new Date(clock.now().getTime() - 5 * 60_000).toISOString() }]);
    expect(late.json()).toEqual({ applied: 0, duplicates: 0, ignored: 1 });
    expect((await escalationRow(escalationId)).status).toBe('closed');
  });

  it('publishes the approved answer as staff, which solves the thread, once', async () => {
    const { draftAnswer } = (await agentConsole.get(`/api/threads/${threadId}/escalations`)).json().escalations[0];
    const body = `${draftAnswer}\n\nThanks for your patience!`;
    const response = await agentConsole.post(`/api/escalations/${escalationId}/answer`, { body });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().escalation).toMatchObject({ needsAction: false, draftAnswer: null });
    const { thread } = await publicThread(threadId);
    expect(thread.status).toBe('solved');
    const posts = (await site.app.inject({ method: 'GET', url: `/api/threads/${threadId}` })).json().posts;
    const answer = posts.find((p: { id: number }) => p.id === thread.acceptedPostId);
    expect(answer.author).toMatchObject({ handle: agent.handle, staff: true });
    expect(answer.bodyMarkdown).toContain('Thanks for your patience!');
    expectError(await agentConsole.post(`/api/escalations/${escalationId}/answer`, { body }), 409, 'already_answered');
    const { rows } = await db().execute<{ action: string }>(sql`select action from audit_log where subject_type = 'thread' and subject_id = ${threadId} and action like 'crm.%' order by id`);
    expect(rows.map((r) => r.action)).toEqual(['crm.thread_escalated', 'crm.case_answer_published']);
  });
});

describe('case changes by polling', () => {
  it('follows the case through pending and closed, reading each change once', async () => {
    const asked = await askingThread('Invoices show the wrong VAT');
    const { escalation } = (await agentConsole.post(`/api/items/${asked.itemId}/escalate`, {})).json();
    await runJobs();
    const caseId = (await escalationRow(escalation.id)).case_id!;
    // answering a case that is still open is refused
    expectError(await agentConsole.post(`/api/escalations/${escalation.id}/answer`, { body: 'Done' }), 409, 'case_not_closed');

    await crm.ensureCrmPollScheduled(db(), config, clock.now());
    clock.advance(1);
    await directory().updateCase(caseId, { status: 'pending' });
    clock.advance(1);
    await runJobs();
    expect((await escalationRow(escalation.id)).status).toBe('pending');

    await directory().updateCase(caseId, { status: 'closed', resolution: 'VAT rate table corrected for Austria.' });
    clock.advance(2);
    await runJobs();
    const closed = await escalationRow(escalation.id);
    expect(closed.status).toBe('closed');
    expect(closed.draft_answer).toContain('VAT rate table corrected for Austria.');
    // the chain keeps one poll waiting
    expect(await scalar(db(), sql`select count(*) from jobs where kind = 'crm.poll' and dead_at is null`)).toBe(1);

    // closing the thread instead of answering it
    const response = await agentConsole.post(`/api/escalations/${escalation.id}/close-thread`, { reason: 'Billing fix, nothing for the community' });
    expect(response.statusCode, response.body).toBe(200);
    expect((await publicThread(asked.threadId)).thread.status).toBe('closed');
  });
});

describe('refusals', () => {
  it('lets exactly one of two agents escalating the same item at once through', async () => {
    const asked = await askingThread('Two agents, one thread');
    const [a, b] = await Promise.all([agentConsole.post(`/api/items/${asked.itemId}/escalate`, {}), otherAgentConsole.post(`/api/items/${asked.itemId}/escalate`, {})]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect(await scalar(db(), sql`select count(*) from crm_escalations where thread_id = ${asked.threadId}`)).toBe(1);
  });

  it('needs the asker linked to a CRM contact, and checks the note and the item', async () => {
    const stranger = await createMember(db());
    const { thread } = await createThread(db(), stranger, { category: slug, clock });
    await queue.requestStaff(ctxFor(db(), stranger, clock, config), thread.id);
    const { items } = await queue.listQueue(ctxFor(db(), agent, clock, config), { status: 'open', limit: 50 });
    const item = items.find((i) => i.thread.id === thread.id)!;
    expectError(await agentConsole.post(`/api/items/${item.id}/escalate`, {}), 409, 'not_linked');
    expectError(await agentConsole.post(`/api/items/${item.id}/escalate`, { note: 'x'.repeat(2_001) }), 400, 'invalid_request', ['note']);
    expectError(await agentConsole.post('/api/items/999999/escalate', {}), 404, 'queue_item_not_found');
    expect((await queue.getQueueItem(ctxFor(db(), agent, clock, config), item.id)).status).not.toBe('resolved');
    expect((await publicThread(thread.id)).thread.support).toBeNull();
    const member = await clientAs(mod, stranger, { app: 'moderation' });
    expectError(await member.post(`/api/items/${item.id}/escalate`, {}), 403, 'forbidden');
  });
});
