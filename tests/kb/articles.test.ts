import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { forum, type Actor } from '@forum/core';
import { clientAs, expectError } from '../support/api.js';
import { startForum, type TestForum } from '../support/apps.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { ApiClient } from '../support/http.js';

// The knowledge base: staff publish a solved thread's answer as an article that links back to
// it; anyone lists, reads and searches articles, and a member typing a new question is offered
// the articles that may answer it before they post.

let site: TestForum;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let asker: Actor;
let helper: Actor;
let staff: ApiClient;
let member: ApiClient;
let anonymous: ApiClient;
let slug: string;
const db = () => site.db.db;

/** A question answered and accepted: the thread id. */
async function solved(title: string, answer: string) {
  const { thread } = await createThread(db(), asker, { category: slug, title, clock });
  const reply = await createReply(db(), helper, thread.id, answer, clock);
  await forum.acceptAnswer(ctxFor(db(), asker, clock), thread.id, reply.id);
  return thread.id;
}

beforeAll(async () => {
  site = await startForum({ clock, jobs: false });
  [asker, helper] = await Promise.all([createMember(db()), createMember(db())]);
  const agent = await createMember(db(), { role: 'agent' });
  staff = await clientAs(site, agent);
  member = await clientAs(site, asker);
  anonymous = new ApiClient(site.app);
  slug = (await createCategory(db())).slug;
});
afterAll(async () => site?.close());

describe('publishing an article', () => {
  let threadId: number;
  let articleId: number;

  it('starts from the accepted answer, publishes once, audited, and links back to the thread', async () => {
    threadId = await solved('How do I export invoices as PDF?', 'Open **Billing → Invoices**, tick the invoices and choose *Download PDF*.');
    const draft = (await staff.get(`/api/threads/${threadId}/article-draft`)).json();
    expect(draft).toEqual({ title: 'How do I export invoices as PDF?', body: 'Open **Billing → Invoices**, tick the invoices and choose *Download PDF*.' });
    const response = await staff.post(`/api/threads/${threadId}/article`, { title: 'Exporting invoices as PDF', body: `${draft.body}\n\n<script>alert(1)</script>You can select up to 50 at once.` });
    expect(response.statusCode, response.body).toBe(201);
    const { article } = response.json();
    articleId = article.id;
    expect(article).toMatchObject({ title: 'Exporting invoices as PDF', thread: { id: threadId, title: 'How do I export invoices as PDF?' } });
    expect(article.bodyHtml).toContain('<strong>Billing → Invoices</strong>');
    expect(article.bodyHtml).not.toContain('<script');
    expectError(await staff.post(`/api/threads/${threadId}/article`, { title: 'Again', body: 'Again and again' }), 409, 'already_published');
    expectError(await staff.get(`/api/threads/${threadId}/article-draft`), 409, 'already_published');
    const { rows } = await db().execute<{ action: string }>(sql`select action from audit_log where subject_type = 'thread' and subject_id = ${threadId}`);
    expect(rows.map((r) => r.action)).toEqual(['kb.article_published']);
    expect((await anonymous.get(`/api/threads/${threadId}/article`)).json().article).toMatchObject({ id: articleId, title: 'Exporting invoices as PDF' });
  });

  it('lets anyone read, list and search articles', async () => {
    const read = await anonymous.get(`/api/kb/${articleId}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().article.bodyMarkdown).toContain('Download PDF');
    expect((await anonymous.get('/api/kb')).json().articles.map((a: { id: number }) => a.id)).toContain(articleId);
    expect((await anonymous.get('/api/kb?q=invoice%20pdf')).json().articles.map((a: { id: number }) => a.id)).toEqual([articleId]);
    expect((await anonymous.get('/api/kb?q=kubernetes')).json().articles).toEqual([]);
    expectError(await anonymous.get('/api/kb/999999'), 404, 'article_not_found');
  });

  it('suggests it to a member typing a question in their own words, and nothing for unrelated ones', async () => {
    const hits = (await member.get(`/api/kb/suggest?q=${encodeURIComponent('can I download my invoices?')}`)).json().articles;
    expect(hits.map((a: { id: number }) => a.id)).toEqual([articleId]);
    expect(hits[0].excerpt).toContain('Download PDF');
    expect((await member.get(`/api/kb/suggest?q=${encodeURIComponent('dark mode on android')}`)).json().articles).toEqual([]);
    expect((await member.get('/api/kb/suggest?q=pdf')).json().articles).toEqual([]);
  });

  it('lets staff edit and remove it; the thread stays', async () => {
    const edited = await staff.put(`/api/kb/${articleId}`, { title: 'Export invoices as PDF', body: 'Billing → Invoices → Download PDF.' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().article.title).toBe('Export invoices as PDF');
    expect((await staff.delete(`/api/kb/${articleId}`)).statusCode).toBe(204);
    expectError(await anonymous.get(`/api/kb/${articleId}`), 404, 'article_not_found');
    expect((await anonymous.get(`/api/threads/${threadId}`)).statusCode).toBe(200);
    const { rows } = await db().execute<{ action: string }>(sql`select action from audit_log where subject_type = 'thread' and subject_id = ${threadId} order by id`);
    expect(rows.map((r) => r.action)).toEqual(['kb.article_published', 'kb.article_updated', 'kb.article_removed']);
  });
});

describe('refusals', () => {
  it('keeps members and visitors from publishing, editing or removing (403 / 401)', async () => {
    const threadId = await solved('Where is the API token page?', 'Settings → API → New token.');
    expectError(await member.post(`/api/threads/${threadId}/article`, { title: 'API tokens', body: 'Settings → API.' }), 403, 'forbidden');
    expectError(await anonymous.post(`/api/threads/${threadId}/article`, { title: 'API tokens', body: 'Settings → API.' }), 401, 'unauthenticated');
    expectError(await member.get(`/api/threads/${threadId}/article-draft`), 403, 'forbidden');
    const { article } = (await staff.post(`/api/threads/${threadId}/article`, { title: 'API tokens', body: 'Settings → API.' })).json();
    expectError(await member.put(`/api/kb/${article.id}`, { title: 'Hacked title', body: 'x' }), 403, 'forbidden');
    expectError(await member.delete(`/api/kb/${article.id}`), 403, 'forbidden');
  });

  it('publishes only solved, live threads, with a clear reason for bad input', async () => {
    const { thread } = await createThread(db(), asker, { category: slug, clock });
    expectError(await staff.post(`/api/threads/${thread.id}/article`, { title: 'Not yet', body: 'No answer yet' }), 409, 'not_solved');
    const threadId = await solved('Can I rename a workspace?', 'Yes: Settings → General → Name.');
    expectError(await staff.post(`/api/threads/${threadId}/article`, { title: 'Hi', body: '  ' }), 400, 'invalid', ['title', 'body']);
    expectError(await staff.post('/api/threads/999999/article', { title: 'Nothing here', body: 'Nothing' }), 404, 'thread_not_found');
    // an article of a deleted thread goes with it
    const { article } = (await staff.post(`/api/threads/${threadId}/article`, { title: 'Renaming a workspace', body: 'Settings → General → Name.' })).json();
    await forum.deleteThread(ctxFor(db(), { ...asker, role: 'admin' }, clock), threadId);
    expectError(await anonymous.get(`/api/kb/${article.id}`), 404, 'article_not_found');
    expectError(await anonymous.get(`/api/kb/suggest?q=${'x'.repeat(201)}`), 400, 'invalid_request', ['q']);
  });
});
