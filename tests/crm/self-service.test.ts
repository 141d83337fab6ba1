import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, directoryConnector, forum, jobHandlers, queue, runDueJobs, type Actor } from '@forum/core';
import { clientAs, expectError } from '../support/api.js';
import { startModeration } from '../support/apps.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';

// The CRM-backed self-service rate: of the threads the community solved with no agent step-in
// and whose asker is linked to a CRM contact, the share whose contact opened no case in the
// 7 days after — in all, per category and per expert. Cases reach the forum by polling.

const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let mod: Awaited<ReturnType<typeof startModeration>>;
let supervisor: Actor;
let agent: Actor;
const db = () => mod.db.db;
const as = (actor: Actor) => ctxFor(db(), actor, clock);
const runJobs = () => runDueJobs({ db: db(), now: clock.now, config: relaxedConfig }, jobHandlers);

const contacts: Record<string, string> = {};
let grace: Actor;
let alan: Actor;
let bob: Actor;
let erin: Actor;
let peer: Actor;
let billing: { slug: string; name: string };
let setup: { slug: string; name: string };

/** A question by `asker` in `category`, answered by `answerer` and accepted by the asker. */
async function solvedThread(asker: Actor, category: string, answerer: Actor) {
  const { thread } = await createThread(db(), asker, { category, clock });
  const reply = await createReply(db(), answerer, thread.id, 'Turn it off and on again.', clock);
  await forum.acceptAnswer(as(asker), thread.id, reply.id);
  return thread.id;
}

async function member(email: string) {
  const m = await createMember(db(), { email });
  return m;
}

beforeAll(async () => {
  mod = await startModeration({ clock });
  const admin = await createMember(db(), { role: 'admin' });
  supervisor = await createMember(db(), { role: 'supervisor' });
  agent = await createMember(db(), { role: 'agent' });
  await crm.importContactsCsv(as(admin), {
    csv: [
      '"Contact ID","First Name","Last Name","Email","Account Name","Account ID"',
      '"0031","Grace","Hopper","grace@navy.example","US Navy","0011"',
      '"0032","Alan","Turing","alan@bletchley.example","Bletchley Park","0012"',
    ].join('\n'),
  });
  const { rows } = await db().execute<{ id: number; email: string }>(sql`select id, email from crm_contacts`);
  for (const r of rows) contacts[r.email.split('@')[0]] = String(r.id);
  [grace, alan, bob, erin, peer] = await Promise.all([member('grace@navy.example'), member('alan@bletchley.example'), member('bob@home.example'), member('erin@x.example'), member('peer@x.example')]);
  await crm.linkMember(as(agent), grace.handle, { contactId: contacts.grace });
  await crm.linkMember(as(agent), alan.handle, { contactId: contacts.alan });
  const b = await createCategory(db(), { windowMinutes: 60 });
  const s = await createCategory(db(), { windowMinutes: 60 });
  billing = { slug: b.slug, name: `Category ${b.slug}` };
  setup = { slug: s.slug, name: `Category ${s.slug}` };
});
afterAll(async () => mod?.close());

describe('the CRM-backed self-service rate', () => {
  it('counts a linked, community-solved thread as self-served only when no case followed within 7 days', async () => {
    await crm.ensureCrmPollScheduled(db(), relaxedConfig, clock.now());
    // grace: solved by an expert, no case afterwards → confirmed
    await solvedThread(grace, billing.slug, erin);
    // alan: solved by a peer, but he opened a case two days later → not confirmed
    await solvedThread(alan, billing.slug, peer);
    // bob: solved, not linked to the CRM → solved, not counted in the rate
    await solvedThread(bob, setup.slug, peer);
    // grace again, but an agent answered: not self-service at all
    const { thread: helped } = await createThread(db(), grace, { category: setup.slug, clock });
    await queue.requestStaff(as(grace), helped.id);
    const { items } = await queue.listQueue(as(agent), { status: 'open', limit: 50 });
    await queue.resolveQueueItem(as(agent), items.find((i) => i.thread.id === helped.id)!.id);

    clock.advance(2 * 24 * 60);
    await directoryConnector(db(), clock.now).createCase({ contactId: contacts.alan, subject: 'Still broken', description: 'The answer did not work.', idempotencyKey: 'alan-1' });
    clock.advance(8 * 24 * 60);
    await runJobs();
    // an Expert (granted after the jobs ran: the badge rules would take back one she has not earned)
    await db().execute(sql`insert into user_badges (user_id, badge, granted_at) values (${erin.id}, 'expert', ${clock.now()})`);
    // a thread solved today is still inside its window: pending
    await solvedThread(grace, setup.slug, peer);

    const consoleClient = await clientAs(mod, supervisor, { app: 'moderation' });
    const response = await consoleClient.get(`/api/dashboard/crm-self-service?from=2025-06-01&to=${clock.now().toISOString().slice(0, 10)}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.total).toEqual({ solved: 4, linked: 3, pending: 1, confirmed: 1, rate: 0.5 });
    const byCategory = Object.fromEntries(body.byCategory.map((c: { category: { slug: string } }) => [c.category.slug, c]));
    expect(byCategory[billing.slug]).toMatchObject({ solved: 2, linked: 2, pending: 0, confirmed: 1, rate: 0.5 });
    expect(byCategory[setup.slug]).toMatchObject({ solved: 2, linked: 1, pending: 1, confirmed: 0, rate: null });
    expect(body.byExpert).toEqual([expect.objectContaining({ expert: expect.objectContaining({ handle: erin.handle }), solved: 1, linked: 1, confirmed: 1, rate: 1 })]);
  });

  it('is for supervisors, and names a bad date', async () => {
    const agentConsole = await clientAs(mod, agent, { app: 'moderation' });
    expectError(await agentConsole.get('/api/dashboard/crm-self-service'), 403, 'forbidden');
    const consoleClient = await clientAs(mod, supervisor, { app: 'moderation' });
    expectError(await consoleClient.get('/api/dashboard/crm-self-service?from=2025-13-45'), 400, 'invalid', ['from']);
    expectError(await consoleClient.get('/api/dashboard/crm-self-service?from=2025-06-10&to=2025-06-01'), 400, 'invalid', ['from']);
  });
});
