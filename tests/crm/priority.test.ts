import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, heldPosts, jobHandlers, queue, runDueJobs, type Actor } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';

// The CRM tier in the agents' queue: a linked customer's items carry their account's tier,
// which ranks them among items due at the same time (vip, then enterprise, then the rest); the
// tier follows links made and removed; and a VIP's new thread goes straight to the queue by rule.

let db: TestDatabase;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let agent: Actor;
const contacts: Record<string, string> = {};

const as = (actor: Actor) => ctxFor(db.db, actor, clock);
const runJobs = () => runDueJobs({ db: db.db, now: clock.now, config: relaxedConfig }, jobHandlers);

beforeAll(async () => {
  db = await createTestDatabase();
  const admin = await createMember(db.db, { role: 'admin' });
  agent = await createMember(db.db, { role: 'agent' });
  await crm.importContactsCsv(as(admin), {
    csv: [
      '"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Tier"',
      '"0031","Vera","Important","vera@bigco.example","BigCo","0011","vip"',
      '"0032","Ed","Enterprise","ed@midco.example","MidCo","0012","enterprise"',
      '"0033","Stan","Dard","stan@smallco.example","SmallCo","0013","standard"',
    ].join('\n'),
  });
  const { rows } = await db.db.execute<{ id: number; email: string }>(sql`select id, email from crm_contacts`);
  for (const r of rows) contacts[r.email.split('@')[0]] = String(r.id);
});
afterAll(async () => db?.drop());

async function category() {
  const { id, slug } = await createCategory(db.db, { windowMinutes: 60 });
  await db.db.execute(sql`update categories set sla_minutes = 480 where id = ${id}`);
  return slug;
}

async function openItems() {
  const { items } = await queue.listQueue(as(agent), { status: 'open', limit: 100 });
  return items;
}

describe('the CRM tier in queue priority', () => {
  it('ranks a VIP customer first among items due at the same time, and follows links made and removed', async () => {
    const slug = await category();
    const [plain, ed, vera] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    // ed is linked before he asks: his item opens with the tier
    await crm.linkMember(as(agent), ed.handle, { contactId: contacts.ed });
    const threads: Record<string, number> = {};
    for (const [name, author] of [['plain', plain], ['ed', ed], ['vera', vera]] as const) {
      threads[name] = (await createThread(db.db, author, { category: slug, clock })).thread.id;
    }
    await runJobs();
    // all three ask for staff at the same instant: the same due time, the same reason
    for (const [name, author] of [['plain', plain], ['ed', ed], ['vera', vera]] as const) await queue.requestStaff(as(author), threads[name]);
    const order = async () =>
      (await openItems()).filter((i) => Object.values(threads).includes(i.thread.id)).map((i) => [Object.keys(threads).find((k) => threads[k] === i.thread.id), i.tier, i.reasons]);
    expect(await order()).toEqual([
      ['ed', 'enterprise', ['requested']],
      ['plain', null, ['requested']],
      ['vera', null, ['requested']],
    ]);

    // vera is found to be a VIP: her open item moves to the top at once
    const link = await crm.linkMember(as(agent), vera.handle, { contactId: contacts.vera });
    expect(link.tier).toBe('vip');
    expect(await order()).toEqual([
      ['vera', 'vip', ['requested']],
      ['ed', 'enterprise', ['requested']],
      ['plain', null, ['requested']],
    ]);
    const { rows: audit } = await db.db.execute<{ data: { queueItems: number[] } }>(sql`select data from audit_log where action = 'crm.member_linked' and subject_id = ${vera.id}`);
    expect(audit[0].data.queueItems).toHaveLength(1);
    const { rows: events } = await db.db.execute<{ payload: { item: { tier: string } } }>(
      sql`select payload from events where name = 'queue.item.updated' and (payload -> 'item' -> 'thread' ->> 'id')::int = ${threads.vera} order by id`,
    );
    expect(events.map((e) => e.payload.item.tier)).toEqual(['vip']);

    // unlinked, she ranks by age again
    await crm.unlinkMember(as(agent), vera.handle, { reason: 'Linked to the wrong contact' });
    expect(await order()).toEqual([
      ['ed', 'enterprise', ['requested']],
      ['plain', null, ['requested']],
      ['vera', null, ['requested']],
    ]);
    // a resolved item keeps the tier it was handled with
    const edItem = (await openItems()).find((i) => i.thread.id === threads.ed)!;
    await queue.claimQueueItem(as(agent), edItem.id);
    await queue.resolveQueueItem(as(agent), edItem.id);
    await crm.unlinkMember(as(agent), ed.handle, { reason: 'Left MidCo' });
    const { rows } = await db.db.execute<{ tier: string | null }>(sql`select tier from queue_items where id = ${edItem.id}`);
    expect(rows[0].tier).toBe('enterprise');
  });

  it("puts a VIP's new thread straight into the queue by rule, without waiting out the community window", async () => {
    const slug = await category();
    const [vip, standard, plain] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    await crm.linkMember(as(agent), vip.handle, { contactId: contacts.vera });
    await crm.linkMember(as(agent), standard.handle, { contactId: contacts.stan });
    clock.advance(10);
    const opened = clock.now().toISOString();
    const vipThread = (await createThread(db.db, vip, { category: slug, clock })).thread.id;
    const standardThread = (await createThread(db.db, standard, { category: slug, clock })).thread.id;
    const plainThread = (await createThread(db.db, plain, { category: slug, clock })).thread.id;
    await runJobs();
    const inQueue = async () => (await openItems()).filter((i) => [vipThread, standardThread, plainThread].includes(i.thread.id));
    expect((await inQueue()).map((i) => [i.thread.id, i.reasons, i.tier, i.openedAt])).toEqual([[vipThread, ['rule'], 'vip', opened]]);

    // a VIP whose first post awaits approval is in the held posts already, not in the queue by rule
    const { id: heldCategory, slug: heldSlug } = await createCategory(db.db, { windowMinutes: 60 });
    await db.db.execute(sql`update categories set hold_first_posts = true where id = ${heldCategory}`);
    const newcomer = await createMember(db.db);
    await crm.linkMember(as(agent), newcomer.handle, { contactId: contacts.vera });
    const held = await createThread(db.db, newcomer, { category: heldSlug, clock });
    expect(held.thread.id).toBeGreaterThan(0);
    await runJobs();
    const { rows: heldRows } = await db.db.execute(sql`select held_at is not null as held from threads where id = ${held.thread.id}`);
    expect(heldRows).toEqual([{ held: true }]);
    expect(await queue.listQueue(as(agent), { status: 'open', limit: 100 }).then((p) => p.items.filter((i) => i.thread.id === held.thread.id))).toEqual([]);
    // approved, the thread starts its life then, and goes to the queue by rule
    await heldPosts.approvePost(as(agent), held.post.id);
    await runJobs();
    expect((await queue.listQueue(as(agent), { status: 'open', limit: 100 })).items.filter((i) => i.thread.id === held.thread.id).map((i) => [i.reasons, i.tier])).toEqual([[['rule'], 'vip']]);

    // when the window ends the others enter as unanswered; the VIP's item only gains the reason
    clock.advance(61);
    await runJobs();
    expect((await inQueue()).map((i) => [i.thread.id, i.reasons, i.tier])).toEqual([
      [vipThread, ['rule', 'unanswered'], 'vip'],
      [standardThread, ['unanswered'], 'standard'],
      [plainThread, ['unanswered'], null],
    ]);
  });
});
