import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { jobHandlers, queue, runDueJobs, type Actor } from '@forum/core';
import { startModeration } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';
import { LiveClient } from '../support/ws.js';

// Priority, assignment (by hand and automatic), idle claims, escalation and presence, through
// the console API, with the background jobs run on a clock the test moves.

let mod: Awaited<ReturnType<typeof startModeration>>;
let clock: Clock;
let sue: Actor;
let sueConsole: ApiClient;
let url: string;

beforeAll(async () => {
  // a Monday, 09:00 UTC
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  sue = await createMember(mod.db.db, { role: 'supervisor', handle: 'super_sue' });
  sueConsole = await clientAs(mod, sue, { app: 'moderation' });
  const address = await mod.app.listen({ port: 0, host: '127.0.0.1' });
  await mod.app.realtime.ready;
  url = `${address.replace('http', 'ws')}/ws`;
});
afterAll(async () => mod?.close());

const db = () => mod.db.db;
const runJobs = () => runDueJobs({ db: db(), now: clock.now, config: relaxedConfig }, jobHandlers);
let seq = 0;

async function agent(options: { onDuty?: boolean; capacity?: number; skills?: string[]; teamId?: number; role?: 'agent' | 'supervisor' } = {}) {
  const actor = await createMember(db(), { role: options.role ?? 'agent', handle: `agent_${++seq}_${Math.random().toString(36).slice(2, 6)}` });
  const client = await clientAs(mod, actor, { app: 'moderation' });
  if (options.teamId !== undefined) {
    const response = await sueConsole.patch(`/api/agents/${actor.id}`, {
      teamId: options.teamId,
      onDuty: options.onDuty ?? true,
      capacity: options.capacity ?? 5,
      skills: options.skills ?? [],
    });
    expect(response.statusCode, response.body).toBe(200);
  }
  return { actor, client };
}

/** A team with one category of its own; returns both. */
async function team(options: { autoAssign?: boolean; hours?: unknown; timezone?: string; sla?: number } = {}) {
  const created = await sueConsole.post('/api/teams', {
    name: `Team ${++seq}`,
    slug: `team-${seq}-${Math.random().toString(36).slice(2, 6)}`,
    autoAssign: options.autoAssign ?? true,
    timezone: options.timezone ?? 'UTC',
    hours: options.hours ?? null,
  });
  expect(created.statusCode, created.body).toBe(201);
  const teamId = created.json().team.id as number;
  const { id: categoryId, slug } = await createCategory(db(), { windowMinutes: 10_000, tags: [`billing`] });
  await db().execute(sql`update categories set sla_minutes = ${options.sla ?? 240} where id = ${categoryId}`);
  const put = await sueConsole.put(`/api/teams/${teamId}/categories`, { categoryIds: [categoryId] });
  expect(put.statusCode, put.body).toBe(200);
  return { teamId, slug };
}

/** A thread the customer asked staff about, with the jobs its events start run. */
async function requested(slug: string, options: { customer?: Actor; title?: string; tags?: string[]; runJobs?: boolean } = {}) {
  const customer = options.customer ?? (await createMember(db(), { trustLevel: 1 }));
  const { thread } = await createThread(db(), customer, { category: slug, clock, title: options.title, tags: options.tags });
  await queue.requestStaff(ctxFor(db(), customer, clock), thread.id);
  if (options.runJobs !== false) await runJobs();
  const itemId = await scalar(db(), sql`select id from queue_items where thread_id = ${thread.id} and status <> 'resolved'`);
  return { threadId: thread.id, itemId, customer };
}

async function holder(itemId: number): Promise<number | null> {
  const { rows } = await db().execute<{ claimed_by_id: number | null }>(sql`select claimed_by_id from queue_items where id = ${itemId}`);
  return rows[0].claimed_by_id;
}

async function auditRows(itemId: number) {
  const { rows } = await db().execute<{ actor_id: number | null; action: string; reason: string | null; data: any }>(
    sql`select actor_id, action, reason, data from audit_log where subject_type = 'queue_item' and subject_id = ${itemId} order by id`,
  );
  return rows;
}

describe('priority', () => {
  it('orders by due time, then reason (flagged, rule, requested, unanswered), then tier, then age, across pages', async () => {
    // Closed on Saturday: every item opened now is due Monday 09:00 + 60 min, so reason and tier decide
    clock.current = new Date('2025-06-07T10:00:00.000Z');
    const office = [['09:00', '17:00']];
    const { slug } = await team({ autoAssign: false, sla: 60, hours: { mon: office, tue: office, wed: office, thu: office, fri: office } });
    const made: Record<string, number> = {};
    for (const [name, reasons, tier] of [
      ['unanswered', ['unanswered'], null],
      ['requested', ['requested'], null],
      ['requested-enterprise', ['unanswered', 'requested'], 'enterprise'],
      ['rule', ['rule'], null],
      ['flagged', ['requested', 'flagged'], null],
      ['flagged-vip', ['flagged'], 'vip'],
    ] as const) {
      const { itemId } = await requested(slug);
      await db().execute(sql`update queue_items set reasons = ${sql.raw(`array[${reasons.map((r) => `'${r}'`).join(',')}]`)}, tier = ${tier} where id = ${itemId}`);
      made[name] = itemId;
      clock.advance(1);
    }
    // one due earlier in a 24/7 team comes first whatever its reason
    const { slug: allDay } = await team({ autoAssign: false, sla: 30 });
    const early = await requested(allDay);
    const mine = new Set([...Object.values(made), early.itemId]);

    const seen: Array<Record<string, any>> = [];
    let cursor: string | null = null;
    do {
      const response = await sueConsole.get(`/api/queue?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode, response.body).toBe(200);
      seen.push(...response.json().items.filter((i: any) => mine.has(i.id)));
      cursor = response.json().nextCursor;
    } while (cursor);
    expect(seen.map((i) => i.id)).toEqual([
      early.itemId,
      made['flagged-vip'],
      made.flagged,
      made.rule,
      made['requested-enterprise'],
      made.requested,
      made.unanswered,
    ]);
    expect(seen[1]).toMatchObject({ dueAt: '2025-06-09T10:00:00.000Z', tier: 'vip', breached: false, escalatedAt: null, presence: [] });
    // listed at Saturday 10:06
    expect(seen[1].minutesLeft).toBe(2 * 24 * 60 - 6);
  });
});

describe('POST /api/queue/:id/assign', () => {
  it('lets a supervisor hand an item to an agent, recorded and pushed live; the agent holds it', async () => {
    const { slug } = await team({ autoAssign: false });
    const { actor: ana } = await agent();
    const { itemId } = await requested(slug);
    const socket = await LiveClient.connect(url, { headers: { cookie: `console_sid=${sueConsole.cookies.get('console_sid')}` } });
    try {
      await socket.subscribe('queue');
      const response = await sueConsole.post(`/api/queue/${itemId}/assign`, { agentId: ana.id });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().item).toMatchObject({ status: 'claimed', claimedBy: { id: ana.id }, assignedBy: { id: sue.id, handle: 'super_sue' }, claimedAt: clock.current.toISOString() });
      const pushed = await socket.waitFor((m) => m.name === 'queue.item.assigned' && m.data.item.id === itemId);
      expect(pushed.data.item.claimedBy.handle).toBe(ana.handle);
    } finally {
      socket.close();
    }
    expect(await auditRows(itemId)).toEqual([
      expect.objectContaining({ actor_id: sue.id, action: 'queue.assigned', data: expect.objectContaining({ before: { status: 'queued', claimedById: null }, after: { status: 'claimed', claimedById: ana.id }, automatic: false }) }),
    ]);
  });

  it('reassigns a claimed item; refuses agents (403), non-staff targets (400), unknown items (404) and resolved ones (409)', async () => {
    const { slug } = await team({ autoAssign: false });
    const { actor: ana, client: anaConsole } = await agent();
    const { actor: bo } = await agent();
    const customer = await createMember(db(), { trustLevel: 1 });
    const { itemId } = await requested(slug, { customer });
    expect((await anaConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    expectError(await anaConsole.post(`/api/queue/${itemId}/assign`, { agentId: bo.id }), 403, 'forbidden');
    expectError(await sueConsole.post(`/api/queue/${itemId}/assign`, { agentId: customer.id }), 400, 'invalid', ['agentId']);
    expectError(await sueConsole.post(`/api/queue/${itemId}/assign`, { agentId: 99_999_999 }), 400, 'invalid', ['agentId']);
    expectError(await sueConsole.post(`/api/queue/${itemId}/assign`, {}), 400, 'invalid_request', ['agentId']);
    expectError(await sueConsole.post('/api/queue/99999999/assign', { agentId: bo.id }), 404, 'queue_item_not_found');

    const moved = await sueConsole.post(`/api/queue/${itemId}/assign`, { agentId: bo.id });
    expect(moved.json().item.claimedBy.id).toBe(bo.id);
    // the previous holder can no longer release it
    expectError(await anaConsole.post(`/api/queue/${itemId}/release`), 403, 'forbidden');
    expect((await sueConsole.post(`/api/queue/${itemId}/resolve`)).statusCode).toBe(200);
    expectError(await sueConsole.post(`/api/queue/${itemId}/assign`, { agentId: ana.id }), 409, 'already_resolved');
    expect((await auditRows(itemId)).map((r) => [r.action, r.actor_id, r.data.after.claimedById])).toEqual([
      ['queue.claimed', ana.id, ana.id],
      ['queue.assigned', sue.id, bo.id],
      ['queue.resolved', sue.id, bo.id],
    ]);
  });

  it('settles an assignment racing a claim: both agree on one holder, and the audit log tells the story', async () => {
    const { slug } = await team({ autoAssign: false });
    const { actor: ana, client: anaConsole } = await agent();
    const { actor: bo } = await agent();
    const { itemId } = await requested(slug);
    const [claim, assign] = await Promise.all([anaConsole.post(`/api/queue/${itemId}/claim`), sueConsole.post(`/api/queue/${itemId}/assign`, { agentId: bo.id })]);
    expect(assign.statusCode, assign.body).toBe(200);
    const rows = await auditRows(itemId);
    if (claim.statusCode === 200) {
      // the claim came first; the supervisor's assignment then took it over
      expect(rows.map((r) => [r.action, r.data.before.claimedById, r.data.after.claimedById])).toEqual([
        ['queue.claimed', null, ana.id],
        ['queue.assigned', ana.id, bo.id],
      ]);
    } else {
      expectError(claim, 409, 'already_claimed');
      expect(rows.map((r) => [r.action, r.data.before.claimedById, r.data.after.claimedById])).toEqual([['queue.assigned', null, bo.id]]);
    }
    expect(await holder(itemId)).toBe(bo.id);
  });
});

describe('automatic assignment', () => {
  it('goes round-robin among on-duty agents under capacity; with nobody free the item waits until someone comes on duty', async () => {
    const { teamId, slug } = await team();
    const { actor: a1 } = await agent({ teamId, capacity: 1 });
    const { actor: a2 } = await agent({ teamId, capacity: 2 });
    const { actor: off, client: offConsole } = await agent({ teamId, onDuty: false });
    const items = [];
    for (let i = 0; i < 4; i++) {
      items.push((await requested(slug)).itemId);
      clock.advance(1);
    }
    expect(await Promise.all(items.map(holder))).toEqual([a1.id, a2.id, a2.id, null]);
    const rows = await auditRows(items[0]);
    expect(rows).toEqual([expect.objectContaining({ actor_id: null, action: 'queue.assigned', data: expect.objectContaining({ automatic: true, rule: 'round_robin' }) })]);
    // running the jobs again assigns nothing twice
    await runJobs();
    expect(await scalar(db(), sql`select count(*) from audit_log where action = 'queue.assigned' and subject_id = any(${sql.raw(`array[${items.join(',')}]`)})`)).toBe(3);

    // the off-duty agent goes on duty (an agent may set their own status): the waiting item is theirs
    const onDuty = await offConsole.patch(`/api/agents/${off.id}`, { onDuty: true });
    expect(onDuty.statusCode, onDuty.body).toBe(200);
    await runJobs();
    expect(await holder(items[3])).toBe(off.id);

    // a released item goes to someone other than the agent who let it go
    const a1Console = await clientAs(mod, a1, { app: 'moderation' });
    expect((await a1Console.post(`/api/queue/${items[0]}/release`)).statusCode).toBe(200);
    await sueConsole.patch(`/api/agents/${off.id}`, { capacity: 2 });
    await runJobs();
    expect(await holder(items[0])).toBe(off.id);
  });

  it('prefers an agent whose skills match the thread’s tags or title words', async () => {
    const { teamId, slug } = await team();
    const { actor: generalist } = await agent({ teamId });
    const { actor: billing } = await agent({ teamId, skills: ['billing', 'refund'] });
    const first = await requested(slug, { title: 'Can I get a refund for last month?' });
    expect(await holder(first.itemId)).toBe(billing.id);
    expect((await auditRows(first.itemId))[0].data.rule).toBe('skill');
    const second = await requested(slug, { title: 'Where do I change my avatar?', tags: [] });
    expect(await holder(second.itemId)).toBe(generalist.id);
    const third = await requested(slug, { title: 'Question about my plan', tags: ['billing'] });
    expect(await holder(third.itemId)).toBe(billing.id);
  });

  it('sends a returning customer to the agent who resolved their last item, when on duty and under capacity', async () => {
    const { teamId, slug } = await team();
    const { actor: first, client: firstConsole } = await agent({ teamId });
    const { actor: second, client: secondConsole } = await agent({ teamId });
    const customer = await createMember(db(), { trustLevel: 1 });
    const earlier = await requested(slug, { customer });
    expect(await holder(earlier.itemId)).toBe(first.id);
    expect((await firstConsole.post(`/api/queue/${earlier.itemId}/resolve`)).statusCode).toBe(200);
    // round-robin would pick `second` now (never assigned); last-agent routing picks `first`
    const again = await requested(slug, { customer });
    expect(await holder(again.itemId)).toBe(first.id);
    expect((await auditRows(again.itemId))[0].data.rule).toBe('last_agent');
    // off duty: round-robin instead
    await firstConsole.patch(`/api/agents/${first.id}`, { onDuty: false });
    const third = await requested(slug, { customer });
    expect(await holder(third.itemId)).toBe(second.id);
    expect(secondConsole).toBeDefined();
  });

  it('leaves items of teams without automatic assignment, and of categories without a team, queued', async () => {
    const { teamId, slug } = await team({ autoAssign: false });
    await agent({ teamId });
    const { itemId } = await requested(slug);
    const { slug: noTeam } = await createCategory(db(), { windowMinutes: 10_000 });
    const other = await requested(noTeam);
    expect([await holder(itemId), await holder(other.itemId)]).toEqual([null, null]);
  });
});

describe('timers', () => {
  it('returns an idle claim to the queue by itself; agent activity moves the deadline', async () => {
    const { slug } = await team({ autoAssign: false });
    const { actor: ana, client: anaConsole } = await agent();
    const { itemId } = await requested(slug);
    expect((await anaConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    clock.advance(20);
    // typing a reply on one's own claim is activity
    expect((await anaConsole.post(`/api/queue/${itemId}/presence`, { state: 'drafting' })).statusCode).toBe(200);
    clock.advance(15);
    await runJobs();
    expect(await holder(itemId)).toBe(ana.id);
    clock.advance(14);
    await runJobs();
    expect(await holder(itemId)).toBe(ana.id);

    const socket = await LiveClient.connect(url, { headers: { cookie: `console_sid=${sueConsole.cookies.get('console_sid')}` } });
    try {
      await socket.subscribe('queue');
      clock.advance(1);
      await runJobs();
      const pushed = await socket.waitFor((m) => m.name === 'queue.item.claim_expired' && m.data.item.id === itemId);
      expect(pushed.data.item).toMatchObject({ status: 'queued', claimedBy: null });
    } finally {
      socket.close();
    }
    expect(await holder(itemId)).toBeNull();
    const rows = await auditRows(itemId);
    expect(rows.map((r) => [r.action, r.actor_id])).toEqual([
      ['queue.claimed', ana.id],
      ['queue.claim_expired', null],
    ]);
    expect(rows[1].reason).toMatch(/30 minutes/);
  });

  it('escalates an item unresolved 240 minutes after it opened, tells the supervisors, and lets agents still claim and resolve it', async () => {
    const { slug } = await team({ autoAssign: false, sla: 600 });
    const { client: anaConsole, actor: ana } = await agent();
    const { itemId, threadId } = await requested(slug);
    clock.advance(239);
    await runJobs();
    expect((await sueConsole.get(`/api/queue/${itemId}`)).json().item).toMatchObject({ status: 'queued', escalatedAt: null });
    clock.advance(1);
    await runJobs();
    const escalated = (await sueConsole.get(`/api/queue/${itemId}`)).json().item;
    expect(escalated).toMatchObject({ status: 'escalated', escalatedAt: clock.current.toISOString(), tracks: { agent: { status: 'escalated' } } });
    expect((await auditRows(itemId)).map((r) => [r.action, r.actor_id])).toEqual([['queue.escalated', null]]);
    const { rows } = await db().execute<{ user_id: number; kind: string; thread_id: number }>(
      sql`select user_id, kind, thread_id from notifications where kind = 'escalated' and thread_id = ${threadId}`,
    );
    expect(rows.map((r) => r.user_id)).toContain(sue.id);
    expect(rows.map((r) => r.user_id)).not.toContain(ana.id);

    const claimed = await anaConsole.post(`/api/queue/${itemId}/claim`);
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(claimed.json().item).toMatchObject({ status: 'escalated', claimedBy: { id: ana.id } });
    const released = await anaConsole.post(`/api/queue/${itemId}/release`);
    expect(released.json().item).toMatchObject({ status: 'escalated', claimedBy: null });
    expect((await anaConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    const resolved = await anaConsole.post(`/api/queue/${itemId}/resolve`);
    expect(resolved.json().item).toMatchObject({ status: 'resolved', resolution: 'agent' });
    await runJobs();
    expect(await scalar(db(), sql`select count(*) from notifications where kind = 'escalated' and thread_id = ${threadId}`)).toBe(rows.length);
  });

  it('counts the escalation time on the team’s calendar', async () => {
    // Friday 16:00 in a 09–17 team: 60 minutes Friday, the other 180 on Monday → Monday 12:00;
    // the SLA of 7 hours: 1 on Friday, 6 on Monday → Monday 15:00
    clock.current = new Date('2025-06-06T16:00:00.000Z');
    const office = [['09:00', '17:00']];
    const { slug } = await team({ autoAssign: false, sla: 420, hours: { mon: office, tue: office, wed: office, thu: office, fri: office } });
    const { itemId } = await requested(slug);
    expect((await sueConsole.get(`/api/queue/${itemId}`)).json().item.dueAt).toBe('2025-06-09T15:00:00.000Z');
    clock.current = new Date('2025-06-09T11:59:00.000Z');
    await runJobs();
    expect((await sueConsole.get(`/api/queue/${itemId}`)).json().item.status).toBe('queued');
    clock.advance(1);
    await runJobs();
    expect((await sueConsole.get(`/api/queue/${itemId}`)).json().item.status).toBe('escalated');
  });
});

describe('presence', () => {
  it('shows who is viewing and drafting, live, until they leave or go stale', async () => {
    const { slug } = await team({ autoAssign: false });
    const { actor: ana, client: anaConsole } = await agent();
    const { actor: bo, client: boConsole } = await agent();
    const { itemId } = await requested(slug);
    expect((await anaConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    const socket = await LiveClient.connect(url, { headers: { cookie: `console_sid=${sueConsole.cookies.get('console_sid')}` } });
    try {
      await socket.subscribe('queue');
      expect((await anaConsole.post(`/api/queue/${itemId}/presence`, { state: 'viewing' })).statusCode).toBe(200);
      clock.advance(0.5);
      const drafting = await boConsole.post(`/api/queue/${itemId}/presence`, { state: 'drafting' });
      expect(drafting.statusCode, drafting.body).toBe(200);
      const pushed = await socket.waitFor((m) => m.name === 'queue.presence.updated' && m.data.itemId === itemId && m.data.presence.length === 2);
      expect(pushed.data.presence.map((p: any) => [p.user.handle, p.state])).toEqual([
        [ana.handle, 'viewing'],
        [bo.handle, 'drafting'],
      ]);
    } finally {
      socket.close();
    }
    const item = (await sueConsole.get(`/api/queue/${itemId}`)).json().item;
    expect(item.claimedBy.id).toBe(ana.id);
    expect(item.presence.map((p: any) => p.user.id)).toEqual([ana.id, bo.id]);
    const listed = (await sueConsole.get('/api/queue?assignee=all&limit=50')).json().items.find((i: any) => i.id === itemId);
    expect(listed?.presence.map((p: any) => p.state)).toEqual(['viewing', 'drafting']);

    // Bo leaves; Ana's mark goes stale 45 s after her last refresh
    expect((await boConsole.post(`/api/queue/${itemId}/presence`, { state: 'left' })).json().presence.map((p: any) => p.user.id)).toEqual([ana.id]);
    clock.advance(0.75);
    expect((await sueConsole.get(`/api/queue/${itemId}`)).json().item.presence).toEqual([]);
    // presence is not a moderation action: no audit rows beyond the claim
    expect((await auditRows(itemId)).map((r) => r.action)).toEqual(['queue.claimed']);
  });

  it('answers 400 for a bad state, 404 for an unknown item and 409 on a resolved one', async () => {
    const { slug } = await team({ autoAssign: false });
    const { client } = await agent();
    const { itemId } = await requested(slug);
    expectError(await client.post(`/api/queue/${itemId}/presence`, { state: 'typing' }), 400, 'invalid_request', ['state']);
    expectError(await client.post('/api/queue/99999999/presence', { state: 'viewing' }), 404, 'queue_item_not_found');
    expectError(await client.get('/api/queue/99999999'), 404, 'queue_item_not_found');
    expect((await client.post(`/api/queue/${itemId}/resolve`)).statusCode).toBe(200);
    expectError(await client.post(`/api/queue/${itemId}/presence`, { state: 'viewing' }), 409, 'already_resolved');
    expect((await client.post(`/api/queue/${itemId}/presence`, { state: 'left' })).statusCode).toBe(200);
  });
});

describe('Mine / Unassigned / All', () => {
  it('filters open items by who holds them', async () => {
    const { slug } = await team({ autoAssign: false });
    const { actor: ana, client: anaConsole } = await agent();
    const mine = await requested(slug);
    const free = await requested(slug);
    expect((await anaConsole.post(`/api/queue/${mine.itemId}/claim`)).statusCode).toBe(200);
    const ids = async (assignee: string) => (await anaConsole.get(`/api/queue?assignee=${assignee}&limit=50`)).json().items.map((i: any) => i.id);
    expect(await ids('mine')).toEqual([mine.itemId]);
    expect(await ids('unassigned')).toContain(free.itemId);
    expect(await ids('unassigned')).not.toContain(mine.itemId);
    expect(await ids('all')).toEqual(expect.arrayContaining([mine.itemId, free.itemId]));
    expectError(await anaConsole.get('/api/queue?assignee=yours'), 400, 'invalid_request', ['assignee']);
    expect(ana.id).toBeGreaterThan(0);
  });
});

describe('members never reach the new queue routes', () => {
  it('answers 403 to members and 401 to strangers', async () => {
    const { slug } = await team({ autoAssign: false });
    const { itemId } = await requested(slug);
    const member = await createMember(db(), { trustLevel: 2 });
    const memberConsole = await clientAs(mod, member, { app: 'moderation' });
    const routes: Array<['GET' | 'POST', string, unknown]> = [
      ['GET', `/api/queue/${itemId}`, undefined],
      ['GET', '/api/queue?assignee=mine', undefined],
      ['POST', `/api/queue/${itemId}/assign`, { agentId: sue.id }],
      ['POST', `/api/queue/${itemId}/presence`, { state: 'viewing' }],
    ];
    for (const [method, path, body] of routes) {
      expectError(await memberConsole.request(method, path, body), 403, 'forbidden');
      expectError(await new ApiClient(mod.app).request(method, path, body), 401, 'unauthenticated');
    }
    expect(await holder(itemId)).toBeNull();
    expect(await scalar(db(), sql`select count(*) from queue_presence where item_id = ${itemId}`)).toBe(0);
  });
});
