import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor, Db } from '@forum/core';
import type { startModeration } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread } from '../support/factories.js';
import { expectError, scalar } from '../support/api.js';
import { insertItem, startConsoleWeek } from './setup.js';

// The supervisor's dashboard over a small, hand-built week: four threads (one self-served, one
// answered by an agent after its SLA breached, one a peer answered with an agent's assist, one
// flagged and still open past its due time) and one older thread, with flags and CSAT answers.
// Every number below is worked out by hand from those rows.

let mod: Awaited<ReturnType<typeof startModeration>>;
let db: Db;
let alice: Actor;
let bob: Actor;
let asker: Actor;
let peer: Actor;
let aliceConsole: ApiClient;
let bobConsole: ApiClient;
let sueConsole: ApiClient;
let memberConsole: ApiClient;
const ids: Record<string, number> = {};

const at = (iso: string) => new Clock(new Date(iso));

async function thread(name: string, created: string, slug: string) {
  const { thread, post } = await createThread(db, asker, { category: slug, clock: at(created), title: `Thread ${name} needs an answer` });
  ids[name] = thread.id;
  ids[`${name}.post`] = post.id;
  return thread.id;
}

const item = (threadId: number, v: Parameters<typeof insertItem>[2]) => insertItem(db, threadId, v);

beforeAll(async () => {
  const week = await startConsoleWeek({ agent_alice: 'agent', agent_bob: 'agent', super_sue: 'supervisor' });
  ({ mod, db, memberConsole } = week);
  ({ agent_alice: alice, agent_bob: bob } = week.staff);
  ({ agent_alice: aliceConsole, agent_bob: bobConsole, super_sue: sueConsole } = week.consoles);
  [asker, peer] = await Promise.all([createMember(db, { trustLevel: 1 }), createMember(db, { trustLevel: 1 })]);
  const { slug } = await createCategory(db, { windowMinutes: 10_000 });

  // T0: outside the 14 days, inside the 12 weeks; nobody answered it.
  await thread('T0', '2025-05-01T10:00:00Z', slug);
  // T1: a peer answered after 30 minutes; never in the queue. Self-served.
  await thread('T1', '2025-06-09T10:00:00Z', slug);
  await createReply(db, peer, ids.T1, 'Try the sync settings.', at('2025-06-09T10:30:00Z'));
  // T2: unanswered in the queue at 13:00, due 15:00, an agent replied at 14:00 and resolved it the
  // next morning (a breach); a peer also replied (1,200 minutes in). Not self-served.
  await thread('T2', '2025-06-09T12:00:00Z', slug);
  await createReply(db, peer, ids.T2, 'Same here, and this fixed it.', at('2025-06-10T08:00:00Z'));
  ids.I2 = await item(ids.T2, {
    reasons: ['unanswered'], opened: '2025-06-09T13:00:00Z', due: '2025-06-09T15:00:00Z', firstResponse: '2025-06-09T14:00:00Z',
    resolved: '2025-06-10T09:00:00Z', by: alice, resolution: 'agent',
  });
  // T3: the asker requested staff at 09:10, a peer answered at 09:20, the agent verified it (assisted) at 10:10.
  await thread('T3', '2025-06-10T09:00:00Z', slug);
  await createReply(db, peer, ids.T3, 'Export it as CSV from the report page.', at('2025-06-10T09:20:00Z'));
  ids.I3 = await item(ids.T3, {
    reasons: ['requested'], opened: '2025-06-10T09:10:00Z', due: '2025-06-10T17:10:00Z', firstResponse: '2025-06-10T09:40:00Z',
    resolved: '2025-06-10T10:10:00Z', by: bob, resolution: 'assisted',
  });
  // T4: flagged into the queue at 09:00 today, due 11:00, still open at noon (a breach); Alice claims it.
  await thread('T4', '2025-06-11T08:00:00Z', slug);
  ids.I4 = await item(ids.T4, { reasons: ['flagged'], opened: '2025-06-11T09:00:00Z', due: '2025-06-11T11:00:00Z' });
  const claim = await aliceConsole.post(`/api/queue/${ids.I4}/claim`);
  expect(claim.statusCode, claim.body).toBe(200);

  // Flags on T1's opening post: one raised on the 9th and agreed on the 10th, one raised today and open.
  await db.execute(sql`insert into flags (post_id, flagger_id, reason, weight, status, created_at, resolved_at)
    values (${ids['T1.post']}, ${peer.id}, 'spam', 1, 'agreed', '2025-06-09T11:00:00Z', '2025-06-10T08:00:00Z'),
           (${ids['T4.post']}, ${peer.id}, 'abusive', 1, 'open', '2025-06-11T08:30:00Z', null)`);
  // CSAT: 4 on Alice's item, 5 on Bob's, both on the 10th.
  await db.execute(sql`insert into csat_responses (item_id, thread_id, user_id, score, comment, created_at)
    values (${ids.I2}, ${ids.T2}, ${asker.id}, 4, 'Slow, but it worked', '2025-06-10T10:00:00Z'),
           (${ids.I3}, ${ids.T3}, ${asker.id}, 5, null, '2025-06-10T11:00:00Z')`);
});
afterAll(async () => {
  await mod?.close();
});

const none = { unanswered: 0, flagged: 0, requested: 0, rule: 0 };

describe('GET /api/dashboard by day', () => {
  it('counts incoming threads, self-service, the queue, response times, breaches, flags and CSAT per UTC day', async () => {
    const response = await sueConsole.get('/api/dashboard');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ period: 'day', timezone: 'UTC', from: '2025-05-29', to: '2025-06-11' });
    expect(body.buckets).toHaveLength(14);
    const day = (start: string) => body.buckets.find((b: { start: string }) => b.start === start);

    expect(day('2025-06-08')).toMatchObject({ incoming: 0, selfServiceRate: null, queueSize: none, slaBreaches: 0 });
    expect(day('2025-06-09')).toEqual({
      start: '2025-06-09',
      incoming: 2,
      selfServed: 1,
      selfServiceRate: 0.5,
      queueOpened: { ...none, unanswered: 1 },
      queueSize: { ...none, unanswered: 1 },
      resolved: { agent: 0, assisted: 0, community: 0 },
      firstPeerReply: { median: 615, p90: 1083, count: 2 },
      firstAgentResponse: { median: 60, p90: 60, count: 1 },
      resolution: { median: null, p90: null, count: 0 },
      slaBreaches: 1,
      flags: { raised: 1, handled: 1 },
      csat: { average: null, count: 0 },
    });
    expect(day('2025-06-10')).toEqual({
      start: '2025-06-10',
      incoming: 1,
      selfServed: 1,
      selfServiceRate: 1,
      queueOpened: { ...none, requested: 1 },
      queueSize: none,
      resolved: { agent: 1, assisted: 1, community: 0 },
      firstPeerReply: { median: 20, p90: 20, count: 1 },
      firstAgentResponse: { median: 30, p90: 30, count: 1 },
      resolution: { median: 630, p90: 1086, count: 2 },
      slaBreaches: 0,
      flags: { raised: 0, handled: 0 },
      csat: { average: 4.5, count: 2 },
    });
    expect(day('2025-06-11')).toMatchObject({
      incoming: 1,
      selfServed: 0,
      selfServiceRate: 0,
      queueOpened: { ...none, flagged: 1 },
      queueSize: { ...none, flagged: 1 },
      slaBreaches: 1,
      flags: { raised: 1, handled: 0 },
    });

    expect(body.totals).toMatchObject({
      incoming: 4,
      selfServed: 2,
      selfServiceRate: 0.5,
      queueOpened: { unanswered: 1, flagged: 1, requested: 1, rule: 0 },
      resolved: { agent: 1, assisted: 1, community: 0 },
      slaBreaches: 2,
      flags: { raised: 2, handled: 1 },
      firstAgentResponse: { median: 45, count: 2 },
      csat: { average: 4.5, count: 2, distribution: [0, 0, 0, 1, 1] },
    });
    expect(body.queueNow).toEqual({ open: 1, byReason: { ...none, flagged: 1 }, breached: 1 });
    const load = Object.fromEntries(body.agents.map((a: { agent: { handle: string } }) => [a.agent.handle, a]));
    expect(load.agent_alice).toMatchObject({ assigned: 1, resolved: 1, assisted: 0, openNow: 1 });
    expect(load.agent_bob).toMatchObject({ assigned: 0, resolved: 0, assisted: 1, openNow: 0 });
  });

  it('takes a custom range of days, and leaves out what lies outside it', async () => {
    const response = await sueConsole.get('/api/dashboard?period=day&from=2025-06-10&to=2025-06-10');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.buckets.map((b: { start: string }) => b.start)).toEqual(['2025-06-10']);
    expect(body.totals).toMatchObject({ incoming: 1, selfServed: 1, slaBreaches: 0, resolved: { agent: 1, assisted: 1, community: 0 } });
    // T2's item was open when the 10th began, and resolved that day
    expect(body.buckets[0].queueSize).toEqual(none);
  });
});

describe('GET /api/dashboard by week', () => {
  it('buckets by ISO week (Monday first, UTC), twelve weeks by default', async () => {
    const response = await sueConsole.get('/api/dashboard?period=week');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ period: 'week', from: '2025-03-24', to: '2025-06-15' });
    expect(body.buckets).toHaveLength(12);
    expect(body.buckets.every((b: { start: string }) => new Date(`${b.start}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    const week = (start: string) => body.buckets.find((b: { start: string }) => b.start === start);
    expect(week('2025-04-28')).toMatchObject({ incoming: 1, selfServed: 0, selfServiceRate: 0 });
    expect(week('2025-06-09')).toMatchObject({
      incoming: 4,
      selfServed: 2,
      selfServiceRate: 0.5,
      queueOpened: { unanswered: 1, flagged: 1, requested: 1, rule: 0 },
      queueSize: { ...none, flagged: 1 },
      resolved: { agent: 1, assisted: 1, community: 0 },
      firstPeerReply: { median: 30, p90: 966, count: 3 },
      slaBreaches: 2,
      csat: { average: 4.5, count: 2 },
    });
    expect(body.totals).toMatchObject({ incoming: 5, selfServed: 2, selfServiceRate: 0.4 });
  });

  it('snaps given dates to their weeks', async () => {
    const response = await sueConsole.get('/api/dashboard?period=week&from=2025-06-04&to=2025-06-11');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().buckets.map((b: { start: string }) => b.start)).toEqual(['2025-06-02', '2025-06-09']);
  });
});

describe('who sees what', () => {
  it('refuses members (403) and anonymous visitors (401)', async () => {
    for (const path of ['/api/dashboard', '/api/dashboard/me', '/api/qa']) {
      expectError(await memberConsole.get(path), 403, 'forbidden');
      expectError(await mod.app.inject({ method: 'GET', url: path }), 401, 'unauthenticated');
    }
  });

  it("refuses agents the supervisor's dashboard, and gives them their own numbers", async () => {
    expectError(await aliceConsole.get('/api/dashboard'), 403, 'forbidden');
    expectError(await aliceConsole.get('/api/dashboard?period=week'), 403, 'forbidden');
    const mine = await aliceConsole.get('/api/dashboard/me');
    expect(mine.statusCode, mine.body).toBe(200);
    const body = mine.json();
    expect(body.agent.handle).toBe('agent_alice');
    expect(body.totals).toMatchObject({ assigned: 1, resolved: 1, assisted: 0, openNow: 1, csat: { average: 4, count: 1 }, resolution: { median: 1200, count: 1 } });
    expect(body.buckets.find((b: { start: string }) => b.start === '2025-06-11')).toMatchObject({ assigned: 1 });
    expect(body.buckets.find((b: { start: string }) => b.start === '2025-06-10')).toMatchObject({ resolved: 1, csat: { average: 4, count: 1 } });
    const bobs = (await bobConsole.get('/api/dashboard/me?period=week')).json();
    expect(bobs.totals).toMatchObject({ assigned: 0, resolved: 0, assisted: 1, openNow: 0, csat: { average: 5, count: 1 } });
  });

  it('writes no audit rows and no events: the dashboard only reads', async () => {
    const before = await scalar(db, sql`select count(*) from audit_log`);
    const events = await scalar(db, sql`select count(*) from events`);
    await sueConsole.get('/api/dashboard?period=week');
    await aliceConsole.get('/api/dashboard/me');
    expect(await scalar(db, sql`select count(*) from audit_log`)).toBe(before);
    expect(await scalar(db, sql`select count(*) from events`)).toBe(events);
  });
});

describe('bad ranges', () => {
  it('answers 400 naming the field', async () => {
    expectError(await sueConsole.get('/api/dashboard?period=month'), 400, 'invalid_request', ['period']);
    expectError(await sueConsole.get('/api/dashboard?from=yesterday'), 400, 'invalid_request', ['from']);
    expectError(await sueConsole.get('/api/dashboard?from=2025-02-30'), 400, 'invalid', ['from']);
    expectError(await sueConsole.get('/api/dashboard?from=2025-06-10&to=2025-06-01'), 400, 'invalid', ['from']);
    expectError(await sueConsole.get('/api/dashboard?from=2024-01-01&to=2025-06-01'), 400, 'invalid', ['from']);
    expectError(await sueConsole.get('/api/dashboard?period=week&from=2020-01-06&to=2025-06-01'), 400, 'invalid', ['from']);
    expectError(await sueConsole.get('/api/dashboard?team=1'), 400, 'invalid_request', ['team']);
    expectError(await aliceConsole.get('/api/dashboard/me?to=2025-13-01'), 400, 'invalid', ['to']);
  });
});
