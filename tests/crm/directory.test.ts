import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, directoryConnector, NotFound } from '@forum/core';
import { scalar } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createMember, ctxFor } from '../support/factories.js';

// The built-in directory through the connector contract that the escalation and customer-panel
// code will use: contacts with account, tier, value and open cases; idempotent cases; updates.

let database: TestDatabase;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
const db = () => database.db;
const connector = () => directoryConnector(db(), clock.now);
let contactId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const admin = await createMember(db(), { role: 'admin' });
  const report = await crm.importContactsCsv(ctxFor(db(), admin, clock), {
    csv: [
      '"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Tier","Annual Revenue"',
      '"0031","Grace","Hopper","grace@navy.example","US Navy","0011","vip","2,000,000"',
      '"0032","Alan","Turing","alan@bletchley.example","Bletchley Park","0012","",""',
    ].join('\n'),
  });
  expect(report.contacts.created).toBe(2);
  contactId = (await connector().searchContacts('grace'))[0].id;
});
afterAll(() => database?.drop());

describe('the directory connector', () => {
  it('gives a contact with their account, tier and value, and no cases yet', async () => {
    expect(await connector().getContact(contactId)).toEqual({
      id: contactId,
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@navy.example',
      title: null,
      phone: null,
      externalIds: { salesforce: '0031' },
      account: { id: expect.any(String), name: 'US Navy', domain: null, tier: 'vip', annualValue: 2_000_000 },
      openCases: [],
    });
    for (const id of ['999999', 'abc', '0', '1e3', '99999999999']) expect(await connector().getContact(id)).toBeNull();
  });

  it('creates a case once per idempotency key, and lists it among the open cases', async () => {
    const input = { contactId, subject: 'Printer on fire', description: 'Transcript …', idempotencyKey: 'thread-42-escalation' };
    const first = await connector().createCase(input);
    clock.advance(5);
    // a retry after a timeout: the same case, not a second one
    const again = await connector().createCase({ ...input, subject: 'Printer on fire (retry)' });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ contactId, subject: 'Printer on fire', status: 'open', resolution: null, createdAt: '2025-06-02T09:00:00.000Z' });
    expect(await scalar(db(), sql`select count(*) from crm_cases`)).toBe(1);
    expect((await connector().getContact(contactId))?.openCases.map((c) => c.id)).toEqual([first.id]);
    expect(await connector().getCase(first.id)).toEqual(first);
    expect(await connector().getCase('404404')).toBeNull();
  });

  it('refuses a case for a contact it does not have', async () => {
    await expect(connector().createCase({ contactId: '777777', subject: 's', description: 'd', idempotencyKey: 'k-missing' })).rejects.toBeInstanceOf(NotFound);
    await expect(connector().createCase({ contactId: 'nope', subject: 's', description: 'd', idempotencyKey: 'k-bad' })).rejects.toMatchObject({ code: 'crm_contact_not_found' });
  });

  it('reports case changes since a time, oldest first, in the update shape webhooks will use too', async () => {
    const since = clock.now();
    const opened = await connector().createCase({ contactId, subject: 'Second', description: 'd', idempotencyKey: 'k-2' });
    expect(await connector().caseUpdatesSince(since)).toEqual([]);
    clock.advance(10);
    await connector().updateCase(opened.id, { status: 'closed', resolution: 'Replaced the fuser unit.' });
    const updates = await connector().caseUpdatesSince(since);
    expect(updates).toEqual([
      {
        connector: 'directory',
        caseId: opened.id,
        contactId,
        createdAt: opened.createdAt,
        status: 'closed',
        resolution: 'Replaced the fuser unit.',
        updatedAt: '2025-06-02T09:15:00.000Z',
        eventId: null,
      },
    ]);
    // closed cases are no longer open on the contact
    expect((await connector().getContact(contactId))?.openCases.map((c) => c.subject)).toEqual(['Printer on fire']);
  });
});

describe('searching the directory as a service', () => {
  it('is for staff only', async () => {
    const member = await createMember(db());
    const agent = await createMember(db(), { role: 'agent' });
    await expect(crm.searchContacts(ctxFor(db(), member, clock), 'grace')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(crm.searchContacts(ctxFor(db(), null, clock), 'grace')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect((await crm.searchContacts(ctxFor(db(), agent, clock), 'Bletchley')).map((c) => c.email)).toEqual(['alan@bletchley.example']);
  });

  it('imports are for admins only', async () => {
    const supervisor = await createMember(db(), { role: 'supervisor' });
    await expect(crm.importContactsCsv(ctxFor(db(), supervisor, clock), { csv: 'Email\na@b.example' })).rejects.toMatchObject({ code: 'forbidden' });
  });
});
