import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceConnector, type CrmConnector } from '@forum/core';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-crm/salesforce.js';

// The Salesforce connector through the real jsforce client against a local server that answers
// in Salesforce's REST shapes: search, contact with account and open cases, idempotent case
// creation by external id, polling for changes, and how outages and bad tokens surface.

let sf: FakeSalesforce;
let connector: CrmConnector;
let grace: string;
let alan: string;
let percy: string;

const settings = (overrides: { accessToken?: string } = {}) => ({
  instanceUrl: sf.url,
  accessToken: overrides.accessToken ?? sf.token,
  apiVersion: '62.0',
  caseKeyField: sf.caseKeyField,
});

beforeAll(async () => {
  sf = await startFakeSalesforce();
  const navy = sf.addAccount({ name: 'US Navy', website: 'https://www.navy.example/home', tier: 'VIP', annualRevenue: 2_000_000 });
  const bletchley = sf.addAccount({ name: 'Bletchley Park', website: null, tier: null, annualRevenue: null });
  const odd = sf.addAccount({ name: "100%_Pure O'Brien Ltd", website: 'obrien.example', tier: 'Enterprise', annualRevenue: 50_000.4 });
  grace = sf.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example', title: 'Rear Admiral', phone: '+1 555 0100', accountId: navy });
  alan = sf.addContact({ firstName: 'Alan', lastName: 'Turing', email: 'alan@bletchley.example', accountId: bletchley });
  percy = sf.addContact({ firstName: 'Percy', lastName: "O'Brien", email: 'percy@obrien.example', accountId: odd });
  connector = salesforceConnector(settings());
});
afterAll(() => sf?.stop());

describe('Salesforce contacts', () => {
  it('finds contacts by name, email and account name, with the account tier and value', async () => {
    const byName = await connector.searchContacts('grace hop');
    expect(byName.map((c) => c.id)).toEqual([grace]);
    expect(byName[0]).toEqual({
      id: grace,
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@navy.example',
      title: 'Rear Admiral',
      account: { id: expect.any(String), name: 'US Navy', domain: 'navy.example', tier: 'vip', annualValue: 2_000_000 },
    });
    expect((await connector.searchContacts('alan@bletchley.example')).map((c) => c.id)).toEqual([alan]);
    expect((await connector.searchContacts('bletchley park')).map((c) => c.id)).toEqual([alan]);
    const bletchleyAccount = (await connector.searchContacts('turing'))[0].account;
    expect(bletchleyAccount).toMatchObject({ name: 'Bletchley Park', domain: null, tier: 'standard', annualValue: null });
  });

  it('takes quotes, wildcards and backslashes in a search literally', async () => {
    // a quote would end the SOQL string; % and _ would match everything if they were wildcards
    expect((await connector.searchContacts("o'brien")).map((c) => c.id)).toEqual([percy]);
    expect((await connector.searchContacts('100%_pure')).map((c) => c.id)).toEqual([percy]);
    // only the account with a literal percent sign or underscore in its name, not everyone
    expect((await connector.searchContacts('%')).map((c) => c.id)).toEqual([percy]);
    expect((await connector.searchContacts('_')).map((c) => c.id)).toEqual([percy]);
    expect(await connector.searchContacts('Grace%Hopper')).toEqual([]);
    expect(await connector.searchContacts("' OR Name LIKE '%")).toEqual([]);
    expect(await connector.searchContacts('\\')).toEqual([]);
    expect(await connector.searchContacts("\\' OR Id != null OR Name = \\'")).toEqual([]);
    const soql = sf.requests.filter((r) => r.path.includes('/query')).map((r) => new URL(r.path, sf.url).searchParams.get('q'));
    expect(soql.some((q) => q?.includes("LIKE '%o\\'brien%'"))).toBe(true);
  });

  it('gives a contact with phone, account and only open cases; unknown ids are null', async () => {
    const open = await connector.createCase({ contactId: grace, subject: 'Printer on fire', description: 'Thread /t/1', idempotencyKey: 'sf-contact-open' });
    const closed = await connector.createCase({ contactId: grace, subject: 'Old bug', description: 'Thread /t/2', idempotencyKey: 'sf-contact-closed' });
    sf.setCaseStatus(closed.id, 'Closed', 'Fixed in 2.1');
    const contact = await connector.getContact(grace);
    expect(contact).toMatchObject({
      id: grace,
      phone: '+1 555 0100',
      externalIds: { salesforce: grace },
      account: { name: 'US Navy', tier: 'vip', annualValue: 2_000_000 },
    });
    expect(contact!.openCases.map((c) => [c.id, c.subject, c.status])).toEqual([[open.id, 'Printer on fire', 'open']]);
    expect(await connector.getContact('003Fk0000000000999')).toBeNull();
    expect(await connector.getContact("x' OR Id != '")).toBeNull();
    expect((await connector.getContact(percy))!.account).toMatchObject({ tier: 'enterprise', annualValue: 50_000, domain: 'obrien.example' });
  });
});

describe('Salesforce cases', () => {
  it('creates one case per idempotency key however often it is retried', async () => {
    const before = sf.cases().length;
    const first = await connector.createCase({ contactId: alan, subject: 'Cannot log in', description: 'Forum thread https://forum.example/t/9', idempotencyKey: 'escalation-9' });
    const again = await connector.createCase({ contactId: alan, subject: 'Cannot log in', description: 'Forum thread https://forum.example/t/9', idempotencyKey: 'escalation-9' });
    expect(again.id).toBe(first.id);
    expect(sf.cases().length).toBe(before + 1);
    expect(first).toMatchObject({ contactId: alan, subject: 'Cannot log in', status: 'open', resolution: null });
    expect(sf.cases().at(-1)).toMatchObject({ Description: 'Forum thread https://forum.example/t/9', key: 'escalation-9', Status: 'New' });
    // the retry was an upsert, which Salesforce counts as a change
    expect(await connector.getCase(first.id)).toEqual({ ...first, updatedAt: again.updatedAt });
  });

  it('does not reopen a case support moved on when a create is retried', async () => {
    const c = await connector.createCase({ contactId: alan, subject: 'Slow page', description: 'd', idempotencyKey: 'escalation-slow' });
    sf.setCaseStatus(c.id, 'Waiting on Customer');
    const retried = await connector.createCase({ contactId: alan, subject: 'Slow page', description: 'd', idempotencyKey: 'escalation-slow' });
    expect(retried).toMatchObject({ id: c.id, status: 'pending' });
  });

  it('answers null for a case it does not have', async () => {
    expect(await connector.getCase('500Fk0000000000999')).toBeNull();
    expect(await connector.getCase('not an id')).toBeNull();
  });

  it('reports changed cases oldest first, with their contact and when they were opened', async () => {
    const a = await connector.createCase({ contactId: grace, subject: 'A', description: 'a', idempotencyKey: 'updates-a' });
    const b = await connector.createCase({ contactId: alan, subject: 'B', description: 'b', idempotencyKey: 'updates-b' });
    const since = new Date(b.updatedAt);
    sf.setCaseStatus(b.id, 'Escalated');
    sf.setCaseStatus(a.id, 'Closed', 'Answered on the forum');
    const updates = await connector.caseUpdatesSince(since);
    expect(updates.map((u) => [u.caseId, u.contactId, u.status, u.resolution])).toEqual([
      [b.id, alan, 'pending', null],
      [a.id, grace, 'closed', 'Answered on the forum'],
    ]);
    expect(updates[0]).toMatchObject({ connector: 'salesforce', createdAt: b.createdAt, eventId: null });
    expect(updates[0].updatedAt < updates[1].updatedAt).toBe(true);
    // the last update is the next cursor: nothing after it
    expect(await connector.caseUpdatesSince(new Date(updates[1].updatedAt))).toEqual([]);
  });
});

describe('Salesforce failures', () => {
  it('refuses a case for a contact it does not have, creating nothing', async () => {
    const before = sf.cases().length;
    await expect(connector.createCase({ contactId: '003Fk0000000000999', subject: 's', description: 'd', idempotencyKey: 'no-contact' })).rejects.toMatchObject({ code: 'crm_contact_not_found' });
    await expect(connector.createCase({ contactId: 'nope', subject: 's', description: 'd', idempotencyKey: 'no-contact' })).rejects.toMatchObject({ code: 'crm_contact_not_found' });
    expect(sf.cases().length).toBe(before);
  });

  it('throws while Salesforce is down, and the retry after it is back creates exactly one case', async () => {
    const before = sf.cases().length;
    await sf.stop();
    try {
      await expect(connector.createCase({ contactId: grace, subject: 'During outage', description: 'd', idempotencyKey: 'outage-1' })).rejects.toThrow();
      await expect(connector.getContact(grace)).rejects.toThrow();
    } finally {
      await sf.restart();
    }
    const created = await connector.createCase({ contactId: grace, subject: 'During outage', description: 'd', idempotencyKey: 'outage-1' });
    await connector.createCase({ contactId: grace, subject: 'During outage', description: 'd', idempotencyKey: 'outage-1' });
    expect(sf.cases().filter((c) => c.key === 'outage-1').map((c) => c.Id)).toEqual([created.id]);
    expect(sf.cases().length).toBe(before + 1);
  });

  it('throws on server errors instead of answering empty', async () => {
    sf.failWith(503);
    try {
      await expect(connector.caseUpdatesSince(new Date(0))).rejects.toThrow(/SERVER_UNAVAILABLE|Service unavailable/);
      await expect(connector.getCase(grace)).rejects.toThrow();
    } finally {
      sf.failWith(null);
    }
  });

  it('says the token was rejected when it is wrong', async () => {
    const wrong = salesforceConnector(settings({ accessToken: 'expired' }));
    await expect(wrong.searchContacts('grace')).rejects.toThrow(/Salesforce rejected the access token \(INVALID_SESSION_ID\).*SALESFORCE_ACCESS_TOKEN/);
    await expect(wrong.createCase({ contactId: grace, subject: 's', description: 'd', idempotencyKey: 'bad-token' })).rejects.toThrow(/rejected the access token/);
    expect(sf.cases().some((c) => c.key === 'bad-token')).toBe(false);
  });
});
