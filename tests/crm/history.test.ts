import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, queue, type Actor } from '@forum/core';
import { clientAs, expectError } from '../support/api.js';
import { startModeration } from '../support/apps.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { ApiClient } from '../support/http.js';

// The forum half of the customer panel (threads, posts, badges, flags, earlier agent
// interactions and their CSAT), the link history beside the CRM profile, and a re-import that
// changes an account's tier reaching linked members and their open queue items.

let mod: Awaited<ReturnType<typeof startModeration>>;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let admin: Actor;
let agent: Actor;
let agentConsole: ApiClient;
const db = () => mod.db.db;
const as = (actor: Actor) => ctxFor(db(), actor, clock);

const HEADER = '"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Tier"';

beforeAll(async () => {
  mod = await startModeration({ clock });
  admin = await createMember(db(), { role: 'admin' });
  agent = await createMember(db(), { role: 'agent', handle: 'agent_kim' });
  agentConsole = await clientAs(mod, agent, { app: 'moderation' });
  await crm.importContactsCsv(as(admin), {
    csv: [HEADER, '"0041","Rita","Retier","rita@midco.example","MidCo","0012","enterprise"', '"0042","Otto","Other","otto@otherco.example","OtherCo","0013","standard"'].join('\n'),
  });
});
afterAll(() => mod?.close());

async function contactId(email: string) {
  const { rows } = await db().execute<{ id: number }>(sql`select id from crm_contacts where email = ${email}`);
  return String(rows[0].id);
}

describe('GET /api/members/:handle/history', () => {
  it("shows the member's threads, posts, accepted answers, badges, flags and earlier agent interactions with CSAT", async () => {
    const { slug } = await createCategory(db(), { tags: ['billing'] });
    const member = await createMember(db(), { handle: 'history_hana', trustLevel: 2 });
    const peer = await createMember(db());
    const threads: number[] = [];
    for (let i = 1; i <= 6; i++) {
      clock.advance(1);
      threads.push((await createThread(db(), member, { category: slug, title: `Question number ${i} about invoices`, clock })).thread.id);
    }
    // hana answers a peer's question and it is accepted; a peer's answer solves her latest thread
    const peerThread = (await createThread(db(), peer, { category: slug, clock })).thread.id;
    const hanaAnswer = await createReply(db(), member, peerThread, 'Try the billing page.', clock);
    await db().execute(sql`update threads set accepted_post_id = ${hanaAnswer.id} where id = ${peerThread}`);
    const peerAnswer = await createReply(db(), peer, threads[5], 'It is under settings.', clock);
    await db().execute(sql`update threads set accepted_post_id = ${peerAnswer.id} where id = ${threads[5]}`);
    await db().execute(sql`update users set reputation = 42 where id = ${member.id}`);
    await db().execute(sql`insert into user_badges (user_id, badge, tag_id, granted_at) values (${member.id}, 'expert', (select id from tags where slug = 'billing'), ${clock.now()})`);
    // flags: two on her posts (one agreed, one open), one she raised that staff disagreed with
    const { rows: firstPost } = await db().execute<{ id: number }>(sql`select id from posts where thread_id = ${threads[0]} and position = 1`);
    const flaggers = await Promise.all([createMember(db()), createMember(db())]);
    await db().execute(sql`insert into flags (post_id, flagger_id, reason, weight, status) values
      (${firstPost[0].id}, ${flaggers[0].id}, 'spam', 1, 'agreed'), (${hanaAnswer.id}, ${flaggers[1].id}, 'off_topic', 1, 'open'),
      (${peerAnswer.id}, ${member.id}, 'abusive', 1, 'disagreed')`);
    // two earlier interactions, one rated
    const at = clock.now();
    const { rows: items } = await db().execute<{ id: number }>(sql`insert into queue_items (thread_id, status, reasons, opened_at, due_at, resolved_at, resolved_by_id, resolution)
      values (${threads[1]}, 'resolved', array['requested'], ${at}, ${at}, ${new Date(at.getTime() + 1000)}, ${agent.id}, 'agent'),
             (${threads[2]}, 'resolved', array['unanswered'], ${at}, ${at}, ${new Date(at.getTime() + 2000)}, ${agent.id}, 'assisted') returning id`);
    await db().execute(sql`insert into csat_responses (item_id, thread_id, user_id, score, comment) values (${items[0].id}, ${threads[1]}, ${member.id}, 4, 'Quick & <b>kind</b>')`);

    const response = await agentConsole.get('/api/members/HISTORY_HANA/history');
    expect(response.statusCode, response.body).toBe(200);
    const h = response.json();
    expect(h.member).toMatchObject({ handle: 'history_hana', reputation: 42, trustLevel: 2 });
    expect(h.counts).toEqual({ threads: 6, posts: 7, acceptedAnswers: 1 });
    expect(h.recentThreads.map((t: { id: number }) => t.id)).toEqual(threads.slice(1).reverse());
    expect(h.recentThreads[0]).toMatchObject({ title: 'Question number 6 about invoices', solved: true });
    expect(h.recentThreads[1].solved).toBe(false);
    expect(h.badges).toEqual([{ slug: 'expert', name: expect.any(String), tier: expect.any(String), tag: 'billing' }]);
    expect(h.flags).toEqual({ against: { open: 1, agreed: 1, disagreed: 0 }, raised: { open: 0, agreed: 0, disagreed: 1 } });
    expect(h.interactions).toEqual([
      { itemId: items[1].id, threadId: threads[2], threadTitle: 'Question number 3 about invoices', resolution: 'assisted', agent: 'agent_kim', resolvedAt: expect.any(String), csat: null },
      { itemId: items[0].id, threadId: threads[1], threadTitle: 'Question number 2 about invoices', resolution: 'agent', agent: 'agent_kim', resolvedAt: expect.any(String), csat: { score: 4, comment: 'Quick & <b>kind</b>' } },
    ]);
  });

  it('is for staff only: a member gets 403, an unknown handle 404', async () => {
    const member = await createMember(db());
    const memberConsole = await clientAs(mod, member, { app: 'moderation' });
    const asMember = await memberConsole.get(`/api/members/${member.handle}/history`);
    expect([401, 403]).toContain(asMember.statusCode);
    await expect(crm.memberForumHistory(as(member), member.handle)).rejects.toMatchObject({ name: 'Forbidden' });
    expectError(await agentConsole.get('/api/members/nobody_here/history'), 404, 'member_not_found');
  });
});

describe('link history in the CRM profile', () => {
  it('keeps unlinked links with who, when and why, and lists rejected suggestions', async () => {
    const member = await createMember(db(), { email: 'otto@otherco.example' });
    const otto = await contactId('otto@otherco.example');
    const rita = await contactId('rita@midco.example');
    await crm.rejectSuggestion(as(agent), member.handle, rita, { reason: 'different person' });
    await crm.linkMember(as(agent), member.handle, { contactId: otto });
    clock.advance(1);
    await crm.unlinkMember(as(agent), member.handle, { reason: 'shared inbox' });
    const profile = (await agentConsole.get(`/api/members/${member.handle}/crm`)).json();
    expect(profile.link).toBeNull();
    expect(profile.history).toEqual([
      expect.objectContaining({ contactId: otto, status: 'unlinked', linkedBy: 'agent_kim', unlinkedBy: 'agent_kim', unlinkReason: 'shared inbox', unlinkedAt: clock.now().toISOString() }),
    ]);
    expect(profile.rejections).toEqual([{ connector: 'directory', contactId: rita, contactName: 'Rita Retier', reason: 'different person', rejectedBy: 'agent_kim', rejectedAt: expect.any(String) }]);
  });
});

describe('re-import refreshes the tier', () => {
  it("gives linked members and their open queue items the account's new tier, so priority follows", async () => {
    const { slug } = await createCategory(db());
    const member = await createMember(db());
    const rita = await contactId('rita@midco.example');
    await crm.linkMember(as(agent), member.handle, { contactId: rita });
    const threadId = (await createThread(db(), member, { category: slug, clock })).thread.id;
    await queue.requestStaff(as(member), threadId);
    const item = async () => (await db().execute<{ id: number; tier: string | null; priority: number }>(sql`select id, tier, priority from queue_items where thread_id = ${threadId} and status <> 'resolved'`)).rows[0];
    const before = await item();
    expect(before.tier).toBe('enterprise');
    const { rows: mark } = await db().execute<{ id: number }>(sql`select coalesce(max(id), 0) as id from events`);

    await crm.importContactsCsv(as(admin), { csv: [HEADER, '"0041","Rita","Retier","rita@midco.example","MidCo","0012","vip"'].join('\n') });

    const after = await item();
    expect(after.tier).toBe('vip');
    expect(after.priority).toBeLessThan(before.priority);
    const { rows: links } = await db().execute<{ tier: string }>(sql`select tier from crm_links where user_id = ${member.id} and status = 'active'`);
    expect(links[0].tier).toBe('vip');
    const { rows: events } = await db().execute<{ name: string; payload: { item: { id: number; tier: string } } }>(sql`select name, payload from events where id > ${mark[0].id} and name = 'queue.item.updated'`);
    expect(events.map((e) => [e.payload.item.id, e.payload.item.tier])).toEqual([[after.id, 'vip']]);
    const { rows: audit } = await db().execute<{ data: { retiered: unknown[] } }>(sql`select data from audit_log where action = 'crm.contacts_imported' order by id desc limit 1`);
    expect(audit[0].data.retiered).toEqual([{ userId: member.id, contactId: rita, before: 'enterprise', after: 'vip', queueItems: [after.id] }]);

    // the same file again changes nothing
    await crm.importContactsCsv(as(admin), { csv: [HEADER, '"0041","Rita","Retier","rita@midco.example","MidCo","0012","vip"'].join('\n') });
    const { rows: again } = await db().execute<{ n: number }>(sql`select count(*)::int as n from events where id > ${mark[0].id} and name = 'queue.item.updated'`);
    expect(again[0].n).toBe(1);
  });
});
