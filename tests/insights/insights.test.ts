import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { forum, jobHandlers, queue, runDueJobs, type Actor } from '@forum/core';
import { clientAs, expectError } from '../support/api.js';
import { startModeration } from '../support/apps.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import type { ApiClient } from '../support/http.js';

// Insights for product teams: weekly sentiment per category and tag, the open threads that read
// worst, CSV exports that round-trip, and a product role that reads insights and cannot moderate.

const clock = new Clock(new Date('2025-06-02T09:00:00.000Z')); // a Monday
let mod: Awaited<ReturnType<typeof startModeration>>;
let product: ApiClient;
let productActor: Actor;
let worst: number;
const db = () => mod.db.db;
const runJobs = () => runDueJobs({ db: db(), now: clock.now, config: relaxedConfig }, jobHandlers);

const HAPPY = ['Love the new invoices page, thanks!', 'Billing works great now, thank you so much.', 'Perfect, exactly what we needed. Great job!'];
const ANGRY = ['The app crashes constantly, this is terrible.', 'Sync is broken again and I am furious. Worst update ever.', 'Awful: notifications are useless and I hate losing my work.'];
const CALM = ['How do I change the time zone of a project?', 'How do I configure the export?'];

beforeAll(async () => {
  mod = await startModeration({ clock });
  const billing = (await createCategory(db(), { slug: 'billing-x', tags: ['invoices'] })).slug;
  const mobile = (await createCategory(db(), { slug: 'mobile-x', tags: ['android'] })).slug;
  const [a, b] = await Promise.all([createMember(db()), createMember(db())]);
  // three weeks: billing stays happy; mobile is calm, then turns angry in the last week
  for (let week = 0; week < 3; week++) {
    for (const text of HAPPY) await createThread(db(), a, { category: billing, tags: ['invoices'], body: text, clock });
    const texts = week < 2 ? CALM : ANGRY;
    for (const text of texts) {
      const { thread } = await createThread(db(), b, { category: mobile, tags: ['android'], body: text, clock });
      if (week === 2 && text === ANGRY[1]) {
        await createReply(db(), a, thread.id, 'Same here, it is broken and really frustrating.', clock);
        worst = thread.id;
      }
    }
    clock.advance(7 * 24 * 60);
  }
  clock.advance(-7 * 24 * 60 + 60);
  await runJobs();
  productActor = await createMember(db(), { role: 'product' });
  product = await clientAs(mod, productActor, { app: 'moderation' });
});
afterAll(async () => mod?.close());

describe('sentiment insights', () => {
  it('shows each category per week, and the week a category turned negative', async () => {
    const response = await product.get('/api/insights/sentiment?by=category&weeks=3');
    expect(response.statusCode, response.body).toBe(200);
    const { weeks, groups } = response.json();
    expect(weeks).toEqual(['2025-06-02', '2025-06-09', '2025-06-16']);
    const byKey = Object.fromEntries(groups.map((g: { key: string }) => [g.key, g]));
    const billing = byKey['billing-x'].series;
    const mobile = byKey['mobile-x'].series;
    for (const w of billing) expect(w.average).toBeGreaterThan(0.1);
    expect(mobile[0].average).toBe(0);
    expect(mobile[2].average).toBeLessThan(-0.1);
    expect(mobile[2].negativeShare).toBe(1);
    expect(mobile[0].negativeShare).toBe(0);
  });

  it('groups by tag too', async () => {
    const { groups } = (await product.get('/api/insights/sentiment?by=tag&weeks=3')).json();
    expect(groups.map((g: { key: string }) => g.key).sort()).toEqual(['android', 'invoices']);
  });

  it('lists the open threads that read worst, worst first', async () => {
    const { threads } = (await product.get('/api/insights/negative-threads?limit=5')).json();
    expect(threads.length).toBeGreaterThanOrEqual(3);
    expect(threads.every((t: { average: number }) => t.average < 0)).toBe(true);
    expect(threads.map((t: { average: number }) => t.average)).toEqual([...threads.map((t: { average: number }) => t.average)].sort((x, y) => x - y));
    expect(threads.map((t: { id: number }) => t.id)).toContain(worst);
  });

  it('exports every view as CSV with the same rows as the JSON', async () => {
    const json = (await product.get('/api/insights/sentiment?by=category&weeks=3')).json();
    const csv = await product.get('/api/insights/sentiment?by=category&weeks=3&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="sentiment-by-category-/);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    const fromJson = json.groups.flatMap((g: { key: string; series: { week: string; posts: number; average: number | null }[] }) =>
      g.series.map((w) => ({ key: g.key, week: w.week, posts: String(w.posts), average: w.average === null ? '' : String(w.average) })),
    );
    expect(rows.map((r) => ({ key: r.category, week: r.week, posts: r.posts, average: r.average }))).toEqual(fromJson);

    const threadsCsv = parse((await product.get('/api/insights/negative-threads?limit=5&format=csv')).body, { columns: true }) as Record<string, string>[];
    const threadsJson = (await product.get('/api/insights/negative-threads?limit=5')).json().threads;
    expect(threadsCsv.map((r) => Number(r.id))).toEqual(threadsJson.map((t: { id: number }) => t.id));
    expect(threadsCsv.map((r) => r.title)).toEqual(threadsJson.map((t: { title: string }) => t.title));
  });
});

describe('the product role', () => {
  it('reads insights but cannot moderate or work the queue', async () => {
    const asker = await createMember(db());
    const { thread } = await createThread(db(), asker, { clock });
    await queue.requestStaff(ctxFor(db(), asker, clock), thread.id);
    const agentActor = await createMember(db(), { role: 'agent' });
    const item = (await queue.listQueue(ctxFor(db(), agentActor, clock), { status: 'open', limit: 5 })).items[0];
    expectError(await product.post(`/api/queue/${item.id}/claim`), 403, 'forbidden');
    expectError(await product.get('/api/queue'), 403, 'forbidden');
    expectError(await product.post(`/api/threads/${thread.id}/staff-replies`, { body: 'Hi' }), 403, 'forbidden');
    const member = await clientAs(mod, asker, { app: 'moderation' });
    expectError(await member.get('/api/insights/sentiment'), 403, 'forbidden');
    expect((await (await clientAs(mod, agentActor, { app: 'moderation' })).get('/api/insights/negative-threads')).statusCode).toBe(200);
  });

  it('names a bad filter', async () => {
    expectError(await product.get('/api/insights/sentiment?weeks=0'), 400, 'invalid_request', ['weeks']);
    expectError(await product.get('/api/insights/sentiment?by=mood'), 400, 'invalid_request', ['by']);
  });
});

describe('the gratitude index and unanswered topics', () => {
  it('counts solved questions whose asker thanked someone, per week, and exports them', async () => {
    const before = (await product.get('/api/insights/gratitude?weeks=1')).json().total;
    const slug = (await createCategory(db(), { tags: ['gratitude-x'] })).slug;
    const [asker, helper] = await Promise.all([createMember(db()), createMember(db())]);
    const solveWith = async (thanks: string | null) => {
      const { thread } = await createThread(db(), asker, { category: slug, clock });
      const reply = await createReply(db(), helper, thread.id, 'Restart the sync from Settings.', clock);
      await forum.acceptAnswer(ctxFor(db(), asker, clock), thread.id, reply.id);
      if (thanks) await createReply(db(), asker, thread.id, thanks, clock);
    };
    await solveWith('Thanks a lot, that fixed it!');
    await solveWith('Cheers, works now.');
    await solveWith(null);
    await solveWith('It works now. The thankless part was waiting.');
    const after = (await product.get('/api/insights/gratitude?weeks=1')).json();
    expect(after.total.solved - before.solved).toBe(4);
    expect(after.total.thanked - before.thanked).toBe(2);
    expect(after.weeks).toHaveLength(1);
    const csv = parse((await product.get('/api/insights/gratitude?weeks=1&format=csv')).body, { columns: true }) as Record<string, string>[];
    expect(csv).toEqual(after.weeks.map((w: { week: string; solved: number; thanked: number; index: number | null }) => ({ week: w.week, solved: String(w.solved), thanked: String(w.thanked), index: w.index === null ? '' : String(w.index) })));
  });

  it('lists the tags with the most questions nobody answered, oldest first', async () => {
    const slug = (await createCategory(db(), { tags: ['quiet-x', 'busy-x'] })).slug;
    const [asker, helper] = await Promise.all([createMember(db()), createMember(db())]);
    const waiting: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { thread } = await createThread(db(), asker, { category: slug, tags: ['busy-x'], title: `Nobody knows this one ${i}?`, clock });
      // the asker's own follow-up is not an answer
      if (i === 0) await createReply(db(), asker, thread.id, 'Any ideas, anyone?', clock);
      waiting.push(thread.id);
      clock.advance(1);
    }
    const { thread: answered } = await createThread(db(), asker, { category: slug, tags: ['quiet-x'], clock });
    await createReply(db(), helper, answered.id, 'Here is how.', clock);
    const { topics } = (await product.get('/api/insights/unanswered-topics')).json();
    const busy = topics.find((t: { tag: string }) => t.tag === 'busy-x');
    expect(busy.unanswered).toBe(3);
    expect(busy.threads.map((t: { id: number }) => t.id)).toEqual(waiting);
    expect(topics.find((t: { tag: string }) => t.tag === 'quiet-x')).toBeUndefined();
  });
});
