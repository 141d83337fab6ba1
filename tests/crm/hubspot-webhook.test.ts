import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, jobHandlers, queue, runDueJobs, type Actor, type CoreConfig } from '@forum/core';
import { clientAs, expectError, rawRequest, scalar } from '../support/api.js';
import { startModeration } from '../support/apps.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { startFakeHubspot, type FakeHubspot } from '../support/fake-crm/hubspot.js';

// HubSpot as the CRM, telling the forum about ticket changes with its own signed webhooks
// (signature v3): verified, deduplicated by event id, each ticket read back by a job (which
// retries while HubSpot is away) and applied like any case update.

const clock = new Clock(new Date());
const URL_REGISTERED = 'https://console.example.com/api/crm/webhooks/hubspot';
const SECRET = 'hubspot-client-secret';
let hubspot: FakeHubspot;
let config: CoreConfig;
let mod: Awaited<ReturnType<typeof startModeration>>;
let agent: Actor;
let escalationId: number;
let ticketId: string;
const db = () => mod.db.db;
const runJobs = () => runDueJobs({ db: db(), now: clock.now, config }, jobHandlers);

function deliver(events: unknown[], options: { secret?: string; at?: number; url?: string } = {}) {
  const body = JSON.stringify(events);
  const at = options.at ?? clock.now().getTime();
  const signature = crm.hubspotSignatureV3(options.secret ?? SECRET, 'POST', options.url ?? URL_REGISTERED, body, at);
  return rawRequest(mod.app, 'POST', '/api/crm/webhooks/hubspot', {
    headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(at) },
    payload: body,
  });
}
const ticketEvent = (eventId: number) => ({ eventId, subscriptionId: 7, portalId: 62515, occurredAt: clock.now().getTime(), subscriptionType: 'ticket.propertyChange', objectId: Number(ticketId), propertyName: 'hs_pipeline_stage', propertyValue: hubspot.stages.closed, attemptNumber: 0, changeSource: 'CRM' });

async function escalationStatus() {
  return (await db().execute<{ status: string; draft_answer: string | null }>(sql`select status, draft_answer from crm_escalations where id = ${escalationId}`)).rows[0];
}

beforeAll(async () => {
  hubspot = await startFakeHubspot();
  config = {
    ...relaxedConfig,
    crm: {
      ...relaxedConfig.crm,
      connector: 'hubspot',
      hubspot: { baseUrl: hubspot.url, accessToken: hubspot.token, ticketKeyProperty: hubspot.ticketKeyProperty, pipeline: hubspot.pipeline, stages: hubspot.stages, webhook: { clientSecret: SECRET, url: URL_REGISTERED } },
    },
  };
  mod = await startModeration({ clock, config });
  agent = await createMember(db(), { role: 'agent' });
  const grace = await createMember(db(), { email: 'grace@rocketworks.example' });
  const contactId = hubspot.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@rocketworks.example' });
  await crm.linkMember(ctxFor(db(), agent, clock, config), grace.handle, { contactId });
  const { thread } = await createThread(db(), grace, { category: (await createCategory(db())).slug, clock });
  await queue.requestStaff(ctxFor(db(), grace, clock, config), thread.id);
  const itemId = (await queue.listQueue(ctxFor(db(), agent, clock, config), { status: 'open', limit: 10 })).items[0].id;
  const response = await (await clientAs(mod, agent, { app: 'moderation' })).post(`/api/items/${itemId}/escalate`, {});
  escalationId = response.json().escalation.id;
  await runJobs();
  ticketId = hubspot.cases()[0].id;
});
afterAll(async () => {
  await mod?.close();
  await hubspot?.stop().catch(() => {});
});

describe("HubSpot's ticket webhooks", () => {
  it('refuses a bad, expired or missing signature with 401 and queues nothing', async () => {
    expectError(await deliver([ticketEvent(1)], { secret: 'wrong' }), 401, 'unauthenticated');
    expectError(await deliver([ticketEvent(1)], { url: 'https://elsewhere.example/hook' }), 401, 'unauthenticated');
    expectError(await deliver([ticketEvent(1)], { at: clock.now().getTime() - 6 * 60_000 }), 401, 'unauthenticated');
    const unsigned = await rawRequest(mod.app, 'POST', '/api/crm/webhooks/hubspot', { headers: { 'content-type': 'application/json' }, payload: JSON.stringify([ticketEvent(1)]) });
    expectError(unsigned, 401, 'unauthenticated');
    expect(await scalar(db(), sql`select count(*) from jobs where kind = 'crm.refresh_case'`)).toBe(0);
  });

  it('reads the changed ticket back and closes the escalation, once per event id', async () => {
    hubspot.setCaseStatus(ticketId, hubspot.stages.closed, 'Grace Hopper’s workspace was re-synced; exports work again.');
    const first = await deliver([ticketEvent(101), { eventId: 102, subscriptionType: 'contact.propertyChange', objectId: 5 }]);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ queued: 1, duplicates: 0, ignored: 1 });
    expect((await deliver([ticketEvent(101)])).json()).toEqual({ queued: 0, duplicates: 1, ignored: 0 });
    await runJobs();
    const after = await escalationStatus();
    expect(after.status).toBe('closed');
    expect(after.draft_answer).toContain('exports work again');
    expect(after.draft_answer).not.toContain('Grace');
  });

  it('retries reading the ticket while HubSpot is away', async () => {
    hubspot.setCaseStatus(ticketId, hubspot.stages.open);
    await hubspot.stop();
    expect((await deliver([ticketEvent(201)])).json().queued).toBe(1);
    await runJobs();
    expect((await escalationStatus()).status).toBe('closed');
    expect(await scalar(db(), sql`select count(*) from jobs where kind = 'crm.refresh_case' and last_error is not null and dead_at is null`)).toBe(1);
    await hubspot.restart();
    clock.advance(1);
    await runJobs();
    expect((await escalationStatus()).status).toBe('open');
    expect(await scalar(db(), sql`select count(*) from jobs where kind = 'crm.refresh_case'`)).toBe(0);
  });

  it('names a body that is not an event array', async () => {
    expectError(await deliver({ events: [] } as unknown as unknown[]), 400, 'invalid', ['body']);
  });
});
