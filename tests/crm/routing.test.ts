import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, jobHandlers, queue, runDueJobs, type Actor } from '@forum/core';
import { startModeration } from '../support/apps.js';
import { clientAs, scalar } from '../support/api.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';

// Last-agent routing by CRM contact: a customer who writes from a second forum account linked
// to the same contact goes back to the agent who resolved their last item.

let mod: Awaited<ReturnType<typeof startModeration>>;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
const db = () => mod.db.db;
const runJobs = () => runDueJobs({ db: db(), now: clock.now, config: relaxedConfig }, jobHandlers);
let sue: Actor;

beforeAll(async () => {
  mod = await startModeration({ clock });
  sue = await createMember(db(), { role: 'supervisor' });
  const admin = await createMember(db(), { role: 'admin' });
  await crm.importContactsCsv(ctxFor(db(), admin, clock), {
    csv: '"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Tier"\n"0031","Ray","Twice","ray@co.example","Co","0011","standard"\n',
  });
});
afterAll(() => mod?.close());

async function holder(threadId: number) {
  return scalar(db(), sql`select coalesce(claimed_by_id, 0) from queue_items where thread_id = ${threadId} and status <> 'resolved'`);
}

describe('last-agent routing by CRM contact', () => {
  it("sends a customer's second forum account to the agent who resolved the first one's item, and stops once unlinked", async () => {
    const sueConsole = await clientAs(mod, sue, { app: 'moderation' });
    const created = await sueConsole.post('/api/teams', { name: 'Routing', slug: 'routing', autoAssign: true, timezone: 'UTC', hours: null });
    const teamId = created.json().team.id as number;
    const { id: categoryId, slug } = await createCategory(db(), { windowMinutes: 10_000 });
    expect((await sueConsole.put(`/api/teams/${teamId}/categories`, { categoryIds: [categoryId] })).statusCode).toBe(200);
    const agents: Actor[] = [];
    for (const n of [1, 2]) {
      const a = await createMember(db(), { role: 'agent', handle: `router_${n}` });
      expect((await sueConsole.patch(`/api/agents/${a.id}`, { teamId, onDuty: true, capacity: 5, skills: [] })).statusCode).toBe(200);
      agents.push(a);
    }
    const contactId = String(await scalar(db(), sql`select id from crm_contacts where email = 'ray@co.example'`));
    const [work, home] = [await createMember(db()), await createMember(db())];
    for (const m of [work, home]) await crm.linkMember(ctxFor(db(), sue, clock), m.handle, { contactId });

    const ask = async (author: Actor) => {
      const { thread } = await createThread(db(), author, { category: slug, clock });
      await queue.requestStaff(ctxFor(db(), author, clock), thread.id);
      await runJobs();
      return thread.id;
    };
    const first = await ask(work);
    const firstAgent = await holder(first);
    expect(agents.map((a) => a.id)).toContain(firstAgent);
    const item = await scalar(db(), sql`select id from queue_items where thread_id = ${first}`);
    await queue.resolveQueueItem(ctxFor(db(), agents.find((a) => a.id === firstAgent)!, clock), item);

    // round-robin would pick the other agent (never assigned); the link picks the same one
    const second = await ask(home);
    expect(await holder(second)).toBe(firstAgent);
    const { rows } = await db().execute<{ data: { rule: string } }>(sql`select data from audit_log where action = 'queue.assigned' and subject_id = (select id from queue_items where thread_id = ${second}) order by id`);
    expect(rows.map((r) => r.data.rule)).toEqual(['last_agent']);

    // unlinked, the home account is a stranger again
    await crm.unlinkMember(ctxFor(db(), sue, clock), home.handle, { reason: 'Not the same person' });
    const third = await ask(home);
    expect(await holder(third)).not.toBe(firstAgent);
  });
});
