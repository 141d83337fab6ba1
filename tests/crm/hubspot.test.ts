import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotConnector, type CrmConnector } from '@forum/core';
import { startFakeHubspot, type FakeHubspot } from '../support/fake-crm/hubspot.js';

// The HubSpot connector through the official @hubspot/api-client against a local server that
// answers in HubSpot's CRM API shapes: search, contact with company and open tickets, exactly-once
// ticket creation by a unique property, polling for changes, and how outages and bad tokens surface.

let hs: FakeHubspot;
let connector: CrmConnector;
let grace: string;
let alan: string;
let percy: string;

const settings = (overrides: { accessToken?: string } = {}) => ({
  baseUrl: hs.url,
  accessToken: overrides.accessToken ?? hs.token,
  ticketKeyProperty: hs.ticketKeyProperty,
  pipeline: hs.pipeline,
  stages: hs.stages,
});

beforeAll(async () => {
  hs = await startFakeHubspot();
  const navy = hs.addCompany({ name: 'US Navy', domain: 'navy.example', tier: 'vip', annualRevenue: 2_000_000 });
  const bletchley = hs.addCompany({ name: 'Bletchley Park' });
  const odd = hs.addCompany({ name: "100%_Pure O'Brien Ltd", domain: 'obrien.example', tier: 'enterprise', annualRevenue: 50_000 });
  grace = hs.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example', title: 'Rear Admiral', phone: '+1 555 0100', companyId: navy });
  alan = hs.addContact({ firstName: 'Alan', lastName: 'Turing', email: 'alan@bletchley.example', companyId: bletchley });
  percy = hs.addContact({ firstName: 'Percy', lastName: "O'Brien", email: 'percy@obrien.example', companyId: odd });
  connector = hubspotConnector(settings());
});
afterAll(() => hs?.stop());

describe('HubSpot contacts', () => {
  it('finds contacts by name, email and company, with the company tier and value', async () => {
    const byName = await connector.searchContacts('grace hop');
    expect(byName).toEqual([
      {
        id: grace,
        firstName: 'Grace',
        lastName: 'Hopper',
        email: 'grace@navy.example',
        title: 'Rear Admiral',
        account: { id: expect.any(String), name: 'US Navy', domain: 'navy.example', tier: 'vip', annualValue: 2_000_000 },
      },
    ]);
    expect((await connector.searchContacts('alan@bletchley.example')).map((c) => c.id)).toEqual([alan]);
    expect((await connector.searchContacts('bletchley park')).map((c) => c.id)).toEqual([alan]);
    expect((await connector.searchContacts('turing'))[0].account).toMatchObject({ name: 'Bletchley Park', domain: null, tier: 'standard', annualValue: null });
  });

  it('takes quotes, wildcards and JSON-looking text in a search literally', async () => {
    expect((await connector.searchContacts("o'brien")).map((c) => c.id)).toEqual([percy]);
    expect((await connector.searchContacts('100%_pure')).map((c) => c.id)).toEqual([percy]);
    expect(await connector.searchContacts('*')).toEqual([]);
    expect(await connector.searchContacts('", "filterGroups": []}')).toEqual([]);
    const search = hs.requests.filter((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts/search');
    expect(search.length).toBeGreaterThan(0);
  });

  it('gives a contact with phone, company and only open tickets; unknown ids are null', async () => {
    const open = await connector.createCase({ contactId: grace, subject: 'Printer on fire', description: 'Thread /t/1', idempotencyKey: 'hs-contact-open' });
    const closed = await connector.createCase({ contactId: grace, subject: 'Old bug', description: 'Thread /t/2', idempotencyKey: 'hs-contact-closed' });
    hs.setCaseStatus(closed.id, hs.stages.closed, 'Fixed in 2.1');
    const contact = await connector.getContact(grace);
    expect(contact).toMatchObject({ id: grace, phone: '+1 555 0100', externalIds: { hubspot: grace }, account: { name: 'US Navy', tier: 'vip', annualValue: 2_000_000 } });
    expect(contact!.openCases.map((c) => [c.id, c.subject, c.status, c.contactId])).toEqual([[open.id, 'Printer on fire', 'open', grace]]);
    expect(await connector.getContact('999999')).toBeNull();
    expect(await connector.getContact('../tickets/1')).toBeNull();
  });
});

describe('HubSpot tickets', () => {
  it('creates one ticket per idempotency key, associated to the contact, however often it is retried', async () => {
    const before = hs.cases().length;
    const first = await connector.createCase({ contactId: alan, subject: 'Cannot log in', description: 'Forum thread https://forum.example/t/9', idempotencyKey: 'escalation-9' });
    const again = await connector.createCase({ contactId: alan, subject: 'Cannot log in', description: 'Forum thread https://forum.example/t/9', idempotencyKey: 'escalation-9' });
    expect(again).toEqual(first);
    expect(hs.cases().length).toBe(before + 1);
    expect(first).toMatchObject({ contactId: alan, subject: 'Cannot log in', status: 'open', resolution: null });
    const ticket = hs.cases().at(-1)!;
    expect(ticket.contactIds).toEqual([alan]);
    expect(ticket.properties).toMatchObject({ content: 'Forum thread https://forum.example/t/9', hs_pipeline: hs.pipeline, hs_pipeline_stage: hs.stages.open, [hs.ticketKeyProperty]: 'escalation-9' });
    expect(await connector.getCase(first.id)).toEqual(first);
  });

  it('does not move a ticket support moved on when a create is retried', async () => {
    const c = await connector.createCase({ contactId: alan, subject: 'Slow page', description: 'd', idempotencyKey: 'escalation-slow' });
    hs.setCaseStatus(c.id, hs.stages.pending);
    const retried = await connector.createCase({ contactId: alan, subject: 'Slow page', description: 'd', idempotencyKey: 'escalation-slow' });
    expect(retried).toMatchObject({ id: c.id, status: 'pending' });
  });

  it('answers null for a ticket it does not have', async () => {
    expect(await connector.getCase('987654')).toBeNull();
    expect(await connector.getCase('not-an-id')).toBeNull();
  });

  it('reports changed tickets oldest first, with their contact and when they were opened', async () => {
    const a = await connector.createCase({ contactId: grace, subject: 'A', description: 'a', idempotencyKey: 'updates-a' });
    const b = await connector.createCase({ contactId: alan, subject: 'B', description: 'b', idempotencyKey: 'updates-b' });
    const since = new Date(b.updatedAt);
    hs.setCaseStatus(b.id, hs.stages.pending);
    hs.setCaseStatus(a.id, hs.stages.closed, 'Answered on the forum');
    const updates = await connector.caseUpdatesSince(since);
    expect(updates.map((u) => [u.caseId, u.contactId, u.status, u.resolution])).toEqual([
      [b.id, alan, 'pending', null],
      [a.id, grace, 'closed', 'Answered on the forum'],
    ]);
    expect(updates[0]).toMatchObject({ connector: 'hubspot', createdAt: b.createdAt, eventId: null });
    expect(updates[0].updatedAt < updates[1].updatedAt).toBe(true);
    expect(await connector.caseUpdatesSince(new Date(updates[1].updatedAt))).toEqual([]);
  });

  it('pages through more changes than one search page holds', async () => {
    const since = new Date(Math.max(...hs.cases().map((t) => t.updatedAt.getTime())));
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await connector.createCase({ contactId: percy, subject: `bulk ${i}`, description: 'd', idempotencyKey: `bulk-${i}` })).id);
    const updates = await connector.caseUpdatesSince(since, { limit: 150 });
    expect(updates.map((u) => u.caseId)).toEqual(ids);
    expect(updates.every((u) => u.contactId === percy)).toBe(true);
    expect((await connector.caseUpdatesSince(since, { limit: 30 })).map((u) => u.caseId)).toEqual(ids.slice(0, 30));
  });
});

describe('HubSpot failures', () => {
  it('refuses a case for a contact it does not have, creating nothing', async () => {
    const before = hs.cases().length;
    await expect(connector.createCase({ contactId: '999999', subject: 's', description: 'd', idempotencyKey: 'no-contact' })).rejects.toMatchObject({ code: 'crm_contact_not_found' });
    await expect(connector.createCase({ contactId: 'nope', subject: 's', description: 'd', idempotencyKey: 'no-contact' })).rejects.toMatchObject({ code: 'crm_contact_not_found' });
    expect(hs.cases().length).toBe(before);
  });

  it('throws while HubSpot is down, and the retry after it is back creates exactly one ticket', async () => {
    const before = hs.cases().length;
    await hs.stop();
    try {
      await expect(connector.createCase({ contactId: grace, subject: 'During outage', description: 'd', idempotencyKey: 'outage-1' })).rejects.toThrow();
      await expect(connector.getContact(grace)).rejects.toThrow();
    } finally {
      await hs.restart();
    }
    const created = await connector.createCase({ contactId: grace, subject: 'During outage', description: 'd', idempotencyKey: 'outage-1' });
    await connector.createCase({ contactId: grace, subject: 'During outage', description: 'd', idempotencyKey: 'outage-1' });
    expect(hs.cases().filter((t) => t.properties[hs.ticketKeyProperty] === 'outage-1').map((t) => t.id)).toEqual([created.id]);
    expect(hs.cases().length).toBe(before + 1);
  });

  it('throws on server errors instead of answering empty', async () => {
    hs.failWith(503);
    try {
      await expect(connector.caseUpdatesSince(new Date(0))).rejects.toThrow();
      await expect(connector.getCase('101')).rejects.toThrow();
    } finally {
      hs.failWith(null);
    }
  });

  it('says the token was rejected when it is wrong', async () => {
    const wrong = hubspotConnector(settings({ accessToken: 'expired' }));
    await expect(wrong.searchContacts('grace')).rejects.toThrow(/HubSpot rejected the access token \(INVALID_AUTHENTICATION\).*HUBSPOT_ACCESS_TOKEN/);
    await expect(wrong.createCase({ contactId: grace, subject: 's', description: 'd', idempotencyKey: 'bad-token' })).rejects.toThrow(/rejected the access token/);
    expect(hs.cases().some((t) => t.properties[hs.ticketKeyProperty] === 'bad-token')).toBe(false);
  });
});
