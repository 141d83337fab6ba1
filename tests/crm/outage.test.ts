import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, jobHandlers, queue, runDueJobs, type Actor, type CoreConfig } from '@forum/core';
import { clientAs } from '../support/api.js';
import { startForum, startModeration } from '../support/apps.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { startFakeHubspot, type FakeHubspot } from '../support/fake-crm/hubspot.js';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-crm/salesforce.js';
import type { ApiClient } from '../support/http.js';

// The CRM goes away in the middle of an escalation: the forum records the escalation at once,
// the console shows it pending sync with the error, nothing is lost, and once the CRM is back
// the case is created exactly once — also when an earlier attempt created it but its reply
// never arrived. Against local servers answering as Salesforce and HubSpot do, with the
// vendors' official clients.

interface Vendor {
  name: 'salesforce' | 'hubspot';
  start(): Promise<{ config: CoreConfig['crm']; contactId: string; cases(): { id: string }[]; closeCase(id: string, resolution: string): void; stop(): Promise<void>; restart(): Promise<void>; close(): Promise<void> }>;
}

const vendors: Vendor[] = [
  {
    name: 'salesforce',
    async start() {
      const fake: FakeSalesforce = await startFakeSalesforce();
      const account = fake.addAccount({ name: 'Rocketworks', website: 'https://rocketworks.example', tier: 'VIP' });
      const contactId = fake.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@rocketworks.example', accountId: account });
      return {
        config: { ...relaxedConfig.crm, connector: 'salesforce', salesforce: { instanceUrl: fake.url, accessToken: fake.token, apiVersion: '62.0', caseKeyField: fake.caseKeyField } },
        contactId,
        cases: () => fake.cases().map((c) => ({ id: c.Id })),
        closeCase: (id, resolution) => fake.setCaseStatus(id, 'Closed', resolution),
        stop: () => fake.stop(),
        restart: () => fake.restart(),
        close: () => fake.stop().catch(() => {}),
      };
    },
  },
  {
    name: 'hubspot',
    async start() {
      const fake: FakeHubspot = await startFakeHubspot();
      const company = fake.addCompany({ name: 'Rocketworks', domain: 'rocketworks.example', tier: 'vip' });
      const contactId = fake.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@rocketworks.example', companyId: company });
      return {
        config: {
          ...relaxedConfig.crm,
          connector: 'hubspot',
          hubspot: { baseUrl: fake.url, accessToken: fake.token, ticketKeyProperty: fake.ticketKeyProperty, pipeline: fake.pipeline, stages: fake.stages },
        },
        contactId,
        cases: () => fake.cases(),
        closeCase: (id, resolution) => fake.setCaseStatus(id, fake.stages.closed, resolution),
        stop: () => fake.stop(),
        restart: () => fake.restart(),
        close: () => fake.stop().catch(() => {}),
      };
    },
  },
];

describe.each(vendors)('escalating while $name is down', (vendor) => {
  const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  let crmServer: Awaited<ReturnType<Vendor['start']>>;
  let config: CoreConfig;
  let mod: Awaited<ReturnType<typeof startModeration>>;
  let site: Awaited<ReturnType<typeof startForum>>;
  let agent: Actor;
  let grace: Actor;
  let agentConsole: ApiClient;
  let slug: string;
  const db = () => mod.db.db;
  const runJobs = () => runDueJobs({ db: db(), now: clock.now, config }, jobHandlers);

  async function escalation(id: number) {
    const { escalations } = (await agentConsole.get('/api/escalations')).json();
    return escalations.find((e: { id: number }) => e.id === id);
  }

  async function escalateNewThread(title: string) {
    const { thread } = await createThread(db(), grace, { category: slug, title, clock });
    await queue.requestStaff(ctxFor(db(), grace, clock, config), thread.id);
    const itemId = (await queue.listQueue(ctxFor(db(), agent, clock, config), { status: 'open', limit: 50 })).items.find((i) => i.thread.id === thread.id)!.id;
    const response = await agentConsole.post(`/api/items/${itemId}/escalate`, { note: 'Needs billing' });
    expect(response.statusCode, response.body).toBe(201);
    return { threadId: thread.id, escalationId: response.json().escalation.id as number };
  }

  beforeAll(async () => {
    crmServer = await vendor.start();
    config = { ...relaxedConfig, crm: crmServer.config };
    mod = await startModeration({ clock, config });
    site = await startForum({ database: mod.db, clock, config, jobs: false });
    agent = await createMember(db(), { role: 'agent' });
    grace = await createMember(db(), { email: 'grace@rocketworks.example' });
    agentConsole = await clientAs(mod, agent, { app: 'moderation' });
    const link = await crm.linkMember(ctxFor(db(), agent, clock, config), grace.handle, { contactId: crmServer.contactId });
    expect(link).toMatchObject({ connector: vendor.name, tier: 'vip' });
    slug = (await createCategory(db(), { windowMinutes: 60 })).slug;
  });
  afterAll(async () => {
    await site?.close();
    await mod?.close();
    await crmServer?.close();
  });

  it('shows the case pending sync while the CRM is down, and creates it exactly once when it is back', async () => {
    const { threadId, escalationId } = await escalateNewThread('Invoices missing since March');
    // the CRM goes down between the agent's click and the background job
    await crmServer.stop();
    await runJobs();
    let seen = await escalation(escalationId);
    expect(seen).toMatchObject({ status: 'pending_sync', caseId: null, attempts: 1 });
    expect(seen.lastError).toBeTruthy();
    // nothing waits on the CRM: the customer already sees that support took the thread over
    const page = await site.app.inject({ method: 'GET', url: `/api/threads/${threadId}` });
    expect(page.json().thread.support.since).toBe(clock.now().toISOString());

    // retries back off while it stays down
    clock.advance(1);
    await runJobs();
    seen = await escalation(escalationId);
    expect(seen).toMatchObject({ status: 'pending_sync', attempts: 2 });
    await runJobs();
    expect((await escalation(escalationId)).attempts).toBe(2);

    await crmServer.restart();
    clock.advance(1);
    await runJobs();
    seen = await escalation(escalationId);
    expect(seen).toMatchObject({ status: 'open', attempts: 3, lastError: null });
    expect(crmServer.cases().map((c) => c.id)).toEqual([seen.caseId]);
    // nothing left to retry: more runs create nothing
    clock.advance(60);
    await runJobs();
    expect(crmServer.cases()).toHaveLength(1);
  });

  it('finds the case an earlier attempt created when its reply was lost, instead of making a second', async () => {
    const { escalationId } = await escalateNewThread('Export stuck at 99 %');
    // the attempt reached the CRM, which made the case, but the answer never came back
    const { rows } = await db().execute<{ idempotency_key: string; subject: string }>(sql`select idempotency_key, subject from crm_escalations where id = ${escalationId}`);
    const made = await crm.crmConnector(ctxFor(db(), null, clock, config)).createCase({ contactId: crmServer.contactId, subject: rows[0].subject, description: 'first attempt', idempotencyKey: rows[0].idempotency_key });
    const before = crmServer.cases().length;
    await runJobs();
    const seen = await escalation(escalationId);
    expect(seen).toMatchObject({ status: 'open', caseId: made.id });
    expect(crmServer.cases()).toHaveLength(before);
  });

  it('follows the case closed in the CRM by polling, and drafts the answer', async () => {
    const { escalationId } = await escalateNewThread('SSO login loops back to the start');
    await runJobs();
    const { caseId } = await escalation(escalationId);
    crmServer.closeCase(caseId, 'Grace Hopper had a stale SAML certificate; uploading the new one from the IdP fixed the loop.');
    await crm.ensureCrmPollScheduled(db(), config, clock.now());
    clock.advance(2);
    await runJobs();
    const seen = await escalation(escalationId);
    expect(seen).toMatchObject({ status: 'closed', needsAction: true });
    expect(seen.draftAnswer).toContain('uploading the new one from the IdP fixed the loop');
    expect(seen.draftAnswer).not.toContain('Grace');
  });
});
