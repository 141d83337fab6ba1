import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forum as forumService, type Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { expectError } from '../support/api.js';

let forum: TestForum;
let anonymous: ApiClient;
const ids: Record<string, number> = {};

beforeAll(async () => {
  forum = await startForum();
  anonymous = new ApiClient(forum.app);
  const db = forum.db.db;
  await createCategory(db, { slug: 'billing', tags: ['invoices'] });
  await createCategory(db, { slug: 'integrations', tags: ['webhooks'] });
  const [author, peer]: Actor[] = await Promise.all([createMember(db), createMember(db)]);
  const make = async (key: string, category: string, title: string, body: string, tags: string[] = []) => {
    ids[key] = (await createThread(db, author, { category, title, body, tags })).thread.id;
  };

  await make('titleHit', 'integrations', 'Webhook signatures fail verification', 'After rotating the secret every delivery is rejected.', ['webhooks']);
  await make('bodyHit', 'integrations', 'Deliveries rejected after rotation', 'We verify each webhook with the old secret, it seems.', ['webhooks']);
  await make('phrase', 'billing', 'Invoice totals look wrong', 'The tax rate is applied twice on the final invoice.', ['invoices']);
  await make('wordsApart', 'billing', 'Rates for invoice exports', 'Which rate do you apply? Tax is shown per line on the export.', ['invoices']);
  await make('markup', 'billing', 'Formatting in invoice notes', 'Typing <b>bold</b> in the notes field shows the tags literally, and <script>alert(1)</script> too.');
  await make('password', 'billing', 'How to reset my password', 'The reset email never arrives.');
  await make('inReply', 'integrations', 'Slack app keeps disconnecting', 'Every morning the integration is gone.');
  await createReply(db, peer, ids.inReply, 'Reinstall it and grant the offline_access scope; the zeppelin token then persists.');
  await make('deleted', 'billing', 'Zeppelin pricing tiers', 'Zeppelin plan question.');
  await forumService.deleteThread(ctxFor(db, author), ids.deleted);

  // Status filters: one solved webhook thread.
  await make('solvedHook', 'integrations', 'Webhook retries stop after an hour', 'Is there a retry limit for webhook deliveries?', ['webhooks']);
  const answer = await createReply(db, peer, ids.solvedHook, 'Yes: 24 attempts over an hour.');
  await forumService.acceptAnswer(ctxFor(db, author), ids.solvedHook, answer.id);

  // Enough threads about one topic to need a second page.
  for (let i = 0; i < 7; i++) await make(`paged${i}`, 'billing', `Quarterly statement number ${i}`, `Statement body ${i}.`);
});
afterAll(async () => forum?.close());

const search = (query: string) => anonymous.get(`/api/search?${query}`);
const resultIds = async (query: string) => {
  const response = await search(query);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().results.map((r: { thread: { id: number } }) => r.thread.id) as number[];
};
const q = (text: string) => `q=${encodeURIComponent(text)}`;

describe('GET /api/search', () => {
  it('finds threads by title and by body, with the thread summary and a rank', async () => {
    const response = await search(q('webhook'));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.didYouMean).toBeNull();
    expect(body.nextCursor).toBeNull();
    const found = body.results.map((r: { thread: { id: number } }) => r.thread.id);
    expect(found).toEqual(expect.arrayContaining([ids.titleHit, ids.bodyHit, ids.solvedHook]));
    const hit = body.results.find((r: { thread: { id: number } }) => r.thread.id === ids.titleHit);
    expect(hit.thread).toMatchObject({ title: 'Webhook signatures fail verification', category: { slug: 'integrations' }, tags: ['webhooks'] });
    expect(hit.rank).toBeGreaterThan(0);
  });

  it('ranks a title match above a body-only match', async () => {
    const found = await resultIds(q('signatures'));
    expect(found).toEqual([ids.titleHit]);
    const both = await resultIds(q('webhook'));
    expect(both.indexOf(ids.titleHit)).toBeLessThan(both.indexOf(ids.bodyHit));
  });

  it('finds words in replies, not only in opening posts', async () => {
    expect(await resultIds(q('offline_access'))).toEqual([ids.inReply]);
  });

  it('matches word forms (stemming)', async () => {
    expect(await resultIds(q('disconnects'))).toEqual([ids.inReply]);
  });

  it('supports "exact phrases"', async () => {
    const loose = await resultIds(q('tax rate'));
    expect(loose).toEqual(expect.arrayContaining([ids.phrase, ids.wordsApart]));
    expect(await resultIds(q('"tax rate"'))).toEqual([ids.phrase]);
  });

  it('supports -exclusion and or', async () => {
    const withoutExport = await resultIds(q('invoice -export'));
    expect(withoutExport).toContain(ids.phrase);
    expect(withoutExport).not.toContain(ids.wordsApart);
    expect(await resultIds(q('signatures or offline_access'))).toEqual(expect.arrayContaining([ids.titleHit, ids.inReply]));
  });

  it('filters by category, tag and status', async () => {
    expect(await resultIds(`${q('invoice')}&category=integrations`)).toEqual([]);
    expect((await resultIds(`${q('webhook')}&category=integrations`)).sort()).toEqual([ids.titleHit, ids.bodyHit, ids.solvedHook].sort());
    expect((await resultIds(`${q('invoice')}&tag=invoices`)).sort()).toEqual([ids.phrase, ids.wordsApart].sort());
    expect(await resultIds(`${q('webhook')}&status=solved`)).toEqual([ids.solvedHook]);
    expect(await resultIds(`${q('webhook')}&status=open&tag=webhooks`)).not.toContain(ids.solvedHook);
  });

  it('marks matches in the snippet with <mark>', async () => {
    const [result] = (await search(q('secret'))).json().results.filter((r: { thread: { id: number } }) => r.thread.id === ids.bodyHit);
    expect(result.snippet).toContain('<mark>secret</mark>');
  });

  it('escapes HTML typed by members in the snippet', async () => {
    const [result] = (await search(q('notes field'))).json().results;
    expect(result.thread.id).toBe(ids.markup);
    expect(result.snippet).toContain('Typing &lt;b&gt;bold&lt;/b&gt; in the <mark>notes</mark> <mark>field</mark>');
    expect(result.snippet).toContain('&lt;script&gt;alert(1)&lt;/script');
    expect(result.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/<[a-z/]/i);
  });

  it('never lists deleted threads', async () => {
    expect(await resultIds(q('zeppelin'))).toEqual([ids.inReply]);
  });

  it('offers didYouMean for a misspelt query, with the results for the correction', async () => {
    const body = (await search(q('pasword'))).json();
    expect(body.didYouMean).toBe('password');
    expect(body.results.map((r: { thread: { id: number } }) => r.thread.id)).toEqual([ids.password]);
  });

  it('corrects every misspelt word of a longer query', async () => {
    const body = (await search(q('resett my pasword'))).json();
    expect(body.didYouMean).toBe('reset my password');
    expect(body.results.map((r: { thread: { id: number } }) => r.thread.id)).toEqual([ids.password]);
  });

  it('offers no suggestion when the query as typed finds something', async () => {
    expect((await search(q('password'))).json().didYouMean).toBeNull();
  });

  it('gives no suggestion and no results for nonsense', async () => {
    expect((await search(q('qwxzkjv'))).json()).toEqual({ results: [], nextCursor: null, didYouMean: null });
  });

  it('copes with queries made only of punctuation or stop words', async () => {
    for (const text of ['!!!', '"', '-', 'the and of', ':*', "'", '\\']) {
      const response = await search(q(text));
      expect(response.statusCode, text).toBe(200);
      expect(response.json().results, text).toEqual([]);
    }
  });

  it('pages with nextCursor without duplicates or gaps', async () => {
    const all = await resultIds(`${q('statement')}&limit=50`);
    expect(all).toHaveLength(7);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { results: Array<{ thread: { id: number } }>; nextCursor: string | null } = (
        await search(`${q('statement')}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      expect(page.results.length).toBeLessThanOrEqual(3);
      seen.push(...page.results.map((r) => r.thread.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('answers 400 naming "q" for a missing, empty or blank query', async () => {
    expectError(await search(''), 400, 'invalid_request', ['q']);
    expectError(await search('q='), 400, 'invalid_request', ['q']);
    expectError(await search(q('   ')), 400, 'invalid', ['q']);
    expectError(await search(q('x'.repeat(201))), 400, 'invalid_request', ['q']);
  });

  it('answers 404 for an unknown category or tag and 400 for an unknown status', async () => {
    expectError(await search(`${q('invoice')}&category=nowhere`), 404, 'category_not_found');
    expectError(await search(`${q('invoice')}&tag=nothing`), 404, 'tag_not_found');
    expectError(await search(`${q('invoice')}&status=pending`), 400, 'invalid_request', ['status']);
    expectError(await search(`${q('invoice')}&sort=new`), 400, 'invalid_request', ['sort']);
  });
});
