import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dashboard, jobHandlers, runDueJobs, type Actor, type Db } from '@forum/core';
import type { startModeration } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread, relaxedConfig } from '../support/factories.js';
import { expectError, scalar } from '../support/api.js';
import { insertItem, startConsoleWeek } from './setup.js';

// The weekly QA sample: drawn per agent and week (three each by default), idempotent, scored by
// supervisors on a four-criterion scorecard, and visible to the agent it is about.

let mod: Awaited<ReturnType<typeof startModeration>>;
let db: Db;
let clock: Clock;
let alice: Actor;
let bob: Actor;
let sue: Actor;
let sam: Actor;
let aliceConsole: ApiClient;
let bobConsole: ApiClient;
let sueConsole: ApiClient;
let samConsole: ApiClient;
let memberConsole: ApiClient;
let slug: string;
let asker: Actor;
const items: Record<string, number[]> = { alice: [], bob: [], sue: [], other: [] };

async function resolvedItem(by: Actor | null, resolvedAt: string, resolution: 'agent' | 'assisted' | 'community' = 'agent') {
  const { thread } = await createThread(db, asker, { category: slug, clock: new Clock(new Date('2025-05-20T08:00:00Z')) });
  const opened = new Date(Date.parse(resolvedAt) - 3_600_000).toISOString();
  return insertItem(db, thread.id, { reasons: ['requested'], opened, due: resolvedAt, resolved: resolvedAt, by, resolution });
}

async function audit(action: string) {
  const { rows } = await db.execute<{ actor_id: number | null; subject_type: string; subject_id: number; data: any }>(
    sql`select actor_id, subject_type, subject_id, data from audit_log where action = ${action} order by id`,
  );
  return rows;
}

beforeAll(async () => {
  const week = await startConsoleWeek({ qa_alice: 'agent', qa_bob: 'agent', qa_sue: 'supervisor', qa_sam: 'supervisor' });
  ({ mod, db, clock, memberConsole } = week);
  ({ qa_alice: alice, qa_bob: bob, qa_sue: sue, qa_sam: sam } = week.staff);
  ({ qa_alice: aliceConsole, qa_bob: bobConsole, qa_sue: sueConsole, qa_sam: samConsole } = week.consoles);
  asker = await createMember(db, { trustLevel: 1 });
  slug = (await createCategory(db, { windowMinutes: 100_000 })).slug;
  // Last week (Monday 2 June to Sunday 8 June, UTC): Alice resolved five, Bob two (one assisting
  // a peer), Sue one; the community resolved one. Outside it: one of Alice's on 1 June (the week
  // before) and one on 9 June (this week).
  for (const day of ['02', '03', '04', '06', '08']) items.alice.push(await resolvedItem(alice, `2025-06-${day}T10:00:00Z`));
  items.bob.push(await resolvedItem(bob, '2025-06-03T15:00:00Z'), await resolvedItem(bob, '2025-06-08T23:59:00Z', 'assisted'));
  items.sue.push(await resolvedItem(sue, '2025-06-05T09:00:00Z'));
  items.other.push(
    await resolvedItem(null, '2025-06-04T09:00:00Z', 'community'),
    await resolvedItem(alice, '2025-06-01T23:59:00Z'),
    await resolvedItem(alice, '2025-06-09T00:00:00Z'),
  );
});
afterAll(async () => {
  await mod?.close();
});

describe('drawing the sample', () => {
  it('draws three random resolved items per agent for last week, and drawing again adds none', async () => {
    const response = await sueConsole.post('/api/qa/sample');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.weekStart).toBe('2025-06-02');
    expect(body.total).toBe(6);
    const drawn = Object.fromEntries(body.drawn.map((d: { agentId: number; itemIds: number[] }) => [d.agentId, d.itemIds]));
    expect(drawn[alice.id]).toHaveLength(3);
    expect(drawn[alice.id].every((id: number) => items.alice.includes(id))).toBe(true);
    expect(drawn[bob.id].sort()).toEqual([...items.bob].sort());
    expect(drawn[sue.id]).toEqual(items.sue);

    const again = await sueConsole.post('/api/qa/sample', { weekStart: '2025-06-02' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual({ weekStart: '2025-06-02', drawn: [], total: 6 });
    expect(await scalar(db, sql`select count(*) from qa_reviews`)).toBe(6);

    const rows = await audit('qa.sampled');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ actor_id: sue.id, subject_type: 'qa_week', subject_id: 20250602, data: { weekStart: '2025-06-02', before: { reviews: 0 }, after: { reviews: 6 } } });
    expect(rows[1]).toMatchObject({ actor_id: sue.id, data: { before: { reviews: 6 }, after: { reviews: 6 }, drawn: [] } });
    expect(await scalar(db, sql`select count(*) from events where name = 'qa.sample.drawn'`)).toBe(2);
  });

  it('tops an agent up to three when more of their week was resolved later, and no further', async () => {
    const late = await resolvedItem(bob, '2025-06-07T12:00:00Z');
    const lateToo = await resolvedItem(bob, '2025-06-07T13:00:00Z');
    const response = await sueConsole.post('/api/qa/sample', { weekStart: '2025-06-02' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().drawn).toEqual([{ agentId: bob.id, itemIds: [expect.any(Number)] }]);
    expect([late, lateToo]).toContain(response.json().drawn[0].itemIds[0]);
    expect(response.json().total).toBe(7);
    expect(await scalar(db, sql`select count(*) from qa_reviews where agent_id = ${bob.id}`)).toBe(3);
  });

  it('refuses agents and members, and weeks that are not Mondays or have not ended', async () => {
    const before = await scalar(db, sql`select count(*) from audit_log`);
    expectError(await aliceConsole.post('/api/qa/sample'), 403, 'forbidden');
    expectError(await memberConsole.post('/api/qa/sample'), 403, 'forbidden');
    expectError(await sueConsole.post('/api/qa/sample', { weekStart: '2025-06-03' }), 400, 'invalid', ['weekStart']);
    expectError(await sueConsole.post('/api/qa/sample', { weekStart: '2025-06-09' }), 400, 'invalid', ['weekStart']);
    expectError(await sueConsole.post('/api/qa/sample', { weekStart: 'last week' }), 400, 'invalid_request', ['weekStart']);
    expectError(await sueConsole.post('/api/qa/sample', { weekStart: '2025-06-02', agents: 3 }), 400, 'invalid_request', ['agents']);
    expect(await scalar(db, sql`select count(*) from audit_log`)).toBe(before);
  });
});

describe('reading and scoring', () => {
  it("shows an agent only their own reviews, and supervisors everyone's", async () => {
    const mine = await aliceConsole.get('/api/qa');
    expect(mine.statusCode, mine.body).toBe(200);
    const reviews = mine.json().reviews;
    expect(reviews).toHaveLength(3);
    expect(reviews.every((r: { agent: { id: number } }) => r.agent.id === alice.id)).toBe(true);
    expect(reviews[0]).toMatchObject({ weekStart: '2025-06-02', scores: null, comment: null, item: { resolution: 'agent', reasons: ['requested'] } });
    expectError(await aliceConsole.get(`/api/qa?agent=${bob.id}`), 403, 'forbidden');
    expect((await aliceConsole.get(`/api/qa?agent=${alice.id}`)).json().reviews).toHaveLength(3);

    const all = (await sueConsole.get('/api/qa')).json().reviews;
    expect(all).toHaveLength(7);
    expect((await sueConsole.get(`/api/qa?agent=${bob.id}`)).json().reviews).toHaveLength(3);
    expect((await sueConsole.get('/api/qa?week=2025-06-02')).json().reviews).toHaveLength(7);
    expect((await sueConsole.get('/api/qa?week=2025-05-26')).json().reviews).toHaveLength(0);
    expectError(await sueConsole.get('/api/qa?week=2025-05-27'), 400, 'invalid', ['week']);
  });

  it('scores a review; the agent sees the scores and the comment; scoring again replaces them, each audited', async () => {
    const [review] = (await aliceConsole.get('/api/qa')).json().reviews;
    const scored = await sueConsole.post(`/api/qa/${review.id}/score`, {
      scores: { accuracy: 5, tone: 4, policy: 5, resolution: 3 },
      comment: 'Clear answer; link the billing guide next time.',
    });
    expect(scored.statusCode, scored.body).toBe(200);
    expect(scored.json().review).toMatchObject({ id: review.id, total: 4.25, reviewer: { handle: 'qa_sue' }, scores: { accuracy: 5, tone: 4, policy: 5, resolution: 3 } });

    const seen = (await aliceConsole.get('/api/qa')).json().reviews.find((r: { id: number }) => r.id === review.id);
    expect(seen).toMatchObject({ total: 4.25, comment: 'Clear answer; link the billing guide next time.', scores: { tone: 4 } });

    const rescored = await samConsole.post(`/api/qa/${review.id}/score`, { scores: { accuracy: 5, tone: 5, policy: 5, resolution: 5 } });
    expect(rescored.statusCode, rescored.body).toBe(200);
    expect(rescored.json().review).toMatchObject({ total: 5, comment: null, reviewer: { handle: 'qa_sam' } });

    const rows = await audit('qa.scored');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      actor_id: sue.id,
      subject_type: 'qa_review',
      subject_id: review.id,
      data: { agentId: alice.id, before: { scores: null, total: null }, after: { total: 4.25, comment: 'Clear answer; link the billing guide next time.' } },
    });
    expect(rows[1]).toMatchObject({ actor_id: sam.id, data: { before: { total: 4.25, scores: { tone: 4 } }, after: { total: 5 } } });
  });

  it('refuses bad scorecards with 400, unknown reviews with 404, agents and one’s own work with 403', async () => {
    const [review] = (await bobConsole.get('/api/qa')).json().reviews;
    const before = await scalar(db, sql`select count(*) from audit_log`);
    const good = { accuracy: 3, tone: 3, policy: 3, resolution: 3 };
    expectError(await sueConsole.post(`/api/qa/${review.id}/score`, { scores: { ...good, tone: 6 } }), 400, 'invalid_request', ['scores.tone']);
    expectError(await sueConsole.post(`/api/qa/${review.id}/score`, { scores: { ...good, policy: 0 } }), 400, 'invalid_request', ['scores.policy']);
    expectError(await sueConsole.post(`/api/qa/${review.id}/score`, { scores: { ...good, accuracy: 2.5 } }), 400, 'invalid_request', ['scores.accuracy']);
    expectError(await sueConsole.post(`/api/qa/${review.id}/score`, { scores: { accuracy: 3, tone: 3, policy: 3 } }), 400, 'invalid_request', ['scores.resolution']);
    expectError(await sueConsole.post(`/api/qa/${review.id}/score`, { scores: good, comment: 'x'.repeat(2001) }), 400, 'invalid_request', ['comment']);
    expectError(await sueConsole.post('/api/qa/999999/score', { scores: good }), 404, 'qa_review_not_found');
    expectError(await aliceConsole.post(`/api/qa/${review.id}/score`, { scores: good }), 403, 'forbidden');
    const [own] = (await sueConsole.get(`/api/qa?agent=${sue.id}`)).json().reviews;
    expectError(await sueConsole.post(`/api/qa/${own.id}/score`, { scores: good }), 403, 'forbidden');
    expect(await scalar(db, sql`select count(*) from audit_log`)).toBe(before);
    // the limit is on the comment as written: 2,000 characters pass
    const long = await samConsole.post(`/api/qa/${own.id}/score`, { scores: good, comment: 'y'.repeat(2000) });
    expect(long.statusCode, long.body).toBe(200);
  });

  it('validates the scorecard in core too, naming each bad criterion', async () => {
    const [review] = (await bobConsole.get('/api/qa')).json().reviews;
    const ctx = { db, actor: sue, now: clock.now, config: relaxedConfig };
    await expect(dashboard.scoreQaReview(ctx, review.id, { scores: { accuracy: 9, tone: 3, policy: 3, resolution: 3, speed: 4 } })).rejects.toMatchObject({
      code: 'invalid',
      fields: { 'scores.accuracy': expect.any(String), 'scores.speed': expect.any(String) },
    });
  });
});

describe('the weekly job', () => {
  it('draws the week that just ended every Monday at 01:00 UTC and schedules the next', async () => {
    expect(await dashboard.ensureQaSampleScheduled(db, clock.now())).toBe(true);
    expect(await dashboard.ensureQaSampleScheduled(db, clock.now())).toBe(false);
    const runAt = async () => (await db.execute<{ run_at: Date }>(sql`select run_at from jobs where kind = 'qa.sample_weekly' and dead_at is null`)).rows.map((r) => new Date(r.run_at).toISOString());
    expect(await runAt()).toEqual(['2025-06-16T01:00:00.000Z']);

    const jobClock = new Clock(new Date('2025-06-16T01:00:00.000Z'));
    await runDueJobs({ db, now: jobClock.now, config: relaxedConfig }, jobHandlers);
    // Alice's item of 9 June is in the week of 9 June
    expect(await scalar(db, sql`select count(*) from qa_reviews where week_start = '2025-06-09'`)).toBe(1);
    expect(await scalar(db, sql`select agent_id from qa_reviews where week_start = '2025-06-09'`)).toBe(alice.id);
    expect(await runAt()).toEqual(['2025-06-23T01:00:00.000Z']);
    const [row] = (await audit('qa.sampled')).slice(-1);
    expect(row).toMatchObject({ actor_id: null, subject_id: 20250609, data: { after: { reviews: 1 } } });
  });
});
