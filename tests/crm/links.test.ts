import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, type Actor } from '@forum/core';
import { clientAs, expectError, scalar } from '../support/api.js';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { Clock, createMember, ctxFor } from '../support/factories.js';
import { ApiClient } from '../support/http.js';

// Linking forum members to CRM contacts from the console: suggestions with a confidence and its
// evidence, confirm (link) and reject, unlink with history, one audit row each, one active link
// per member even when two agents race, and none of it ever reaching customers.

let mod: Awaited<ReturnType<typeof startModeration>>;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let alice: Actor;
let bob: Actor;
let aliceConsole: ApiClient;
let bobConsole: ApiClient;
const contacts: Record<string, string> = {};

const db = () => mod.db.db;

const EXPORT = [
  '"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Website","Tier","Annual Revenue"',
  '"0031","Grace","Hopper","grace@navy.example","US Navy","0011","navy.example","vip","2,000,000"',
  '"0032","Alan","Turing","alan@bletchley.example","Bletchley Park","0012","bletchley.example","enterprise","150,000"',
  '"0033","Ada","Lovelace","ada@engines.example","Analytical Engines","0013","engines.example","",""',
  '"0034","Gina","Mailer","gina@gmail.com","Free Mail Co","0014","gmail.com","",""',
  '"0035","Joan","Clarke","joan@bletchley.example","Bletchley Park","0012","bletchley.example","enterprise",""',
].join('\n');

/** A member with this email and display name. */
async function member(email: string, displayName: string): Promise<Actor> {
  const m = await createMember(db(), { email });
  await db().execute(sql`update users set display_name = ${displayName} where id = ${m.id}`);
  return m;
}

async function auditRows(subjectId: number) {
  const { rows } = await db().execute<{ action: string; actor_id: number; reason: string | null; data: Record<string, unknown> }>(
    sql`select action, actor_id, reason, data from audit_log where subject_type = 'user' and subject_id = ${subjectId} order by id`,
  );
  return rows;
}

beforeAll(async () => {
  mod = await startModeration({ clock });
  const admin = await createMember(db(), { role: 'admin' });
  const report = await crm.importContactsCsv(ctxFor(db(), admin, clock), { csv: EXPORT });
  expect(report.contacts.created).toBe(5);
  const { rows } = await db().execute<{ id: number; email: string }>(sql`select id, email from crm_contacts`);
  for (const r of rows) contacts[r.email.split('@')[0]] = String(r.id);
  [alice, bob] = await Promise.all([createMember(db(), { role: 'agent', handle: 'agent_alice' }), createMember(db(), { role: 'agent', handle: 'agent_bob' })]);
  [aliceConsole, bobConsole] = await Promise.all([clientAs(mod, alice, { app: 'moderation' }), clientAs(mod, bob, { app: 'moderation' })]);
});
afterAll(() => mod?.close());

describe('suggestions', () => {
  it('ranks the verified email match first, with every piece of evidence behind it', async () => {
    // the account email differs only in case from the contact's
    const grace = await member('Grace@NAVY.example', 'Grace Hopper');
    const response = await aliceConsole.get(`/api/members/${grace.handle}/crm-suggestions`);
    expect(response.statusCode, response.body).toBe(200);
    const { connector, suggestions } = response.json();
    expect(connector).toBe('directory');
    expect(suggestions[0]).toMatchObject({
      contact: { id: contacts.grace, email: 'grace@navy.example', account: { name: 'US Navy', tier: 'vip' } },
      linked: false,
      rejected: null,
    });
    expect(suggestions[0].evidence.map((e: { kind: string }) => e.kind)).toEqual(['email', 'domain', 'name']);
    expect(suggestions[0].evidence[1]).toEqual({ kind: 'domain', detail: 'navy.example', weight: 0.4 });
    // 1 − (1 − 0.9)(1 − 0.4)(1 − 0.5): the three together beat any one of them
    expect(suggestions[0].confidence).toBe(0.97);
  });

  it('suggests colleagues by company email domain, weaker than an email match', async () => {
    const charles = await member('charles@engines.example', 'Charles Babbage');
    const { suggestions } = (await aliceConsole.get(`/api/members/${charles.handle}/crm-suggestions`)).json();
    expect(suggestions).toEqual([
      expect.objectContaining({ contact: expect.objectContaining({ id: contacts.ada }), confidence: 0.4, evidence: [{ kind: 'domain', detail: 'engines.example', weight: 0.4 }] }),
    ]);
  });

  it('never counts a free-mail domain as company evidence', async () => {
    // gmail.com is also Free Mail Co's domain in the CRM: still no evidence at all
    const fan = await member('someone.else@gmail.com', 'Someone Else');
    expect((await aliceConsole.get(`/api/members/${fan.handle}/crm-suggestions`)).json().suggestions).toEqual([]);
    const gmailGina = await member('gina.m@GMAIL.com', 'Gina Mailer');
    const { suggestions } = (await aliceConsole.get(`/api/members/${gmailGina.handle}/crm-suggestions`)).json();
    // her name still matches; the shared gmail.com does not add to it
    expect(suggestions.map((s: { contact: { id: string }; evidence: Array<{ kind: string }> }) => [s.contact.id, s.evidence.map((e) => e.kind)])).toEqual([[contacts.gina, ['name']]]);
    expect(suggestions[0].confidence).toBe(0.5);
  });

  it('scores names by trigram similarity: an exact name above a near one, unrelated names not at all', async () => {
    const exact = await member('turing.fan@elsewhere.example', 'Alan Turing');
    const near = await member('at@elsewhere2.example', 'Alan Turin');
    const [exactTop] = (await aliceConsole.get(`/api/members/${exact.handle}/crm-suggestions`)).json().suggestions;
    const [nearTop] = (await aliceConsole.get(`/api/members/${near.handle}/crm-suggestions`)).json().suggestions;
    expect(exactTop).toMatchObject({ contact: { id: contacts.alan }, confidence: 0.5, evidence: [{ kind: 'name', weight: 0.5 }] });
    expect(nearTop.contact.id).toBe(contacts.alan);
    expect(nearTop.evidence[0].kind).toBe('name');
    expect(nearTop.evidence[0].detail).toMatch(/^Alan Turin ~ Alan Turing \(0\.\d+\)$/);
    expect(nearTop.confidence).toBeGreaterThan(0.15);
    expect(nearTop.confidence).toBeLessThan(exactTop.confidence);
    const nobody = await member('x@nowhere.example', 'Zebulon Quixotic');
    expect((await aliceConsole.get(`/api/members/${nobody.handle}/crm-suggestions`)).json().suggestions).toEqual([]);
  });

  it('marks a rejected contact and lists it last, and 404s an unknown member', async () => {
    const joanish = await member('j.clarke@bletchley.example', 'Joan Clarke');
    const before = (await aliceConsole.get(`/api/members/${joanish.handle}/crm-suggestions`)).json().suggestions;
    expect(before.map((s: { contact: { id: string } }) => s.contact.id)).toEqual([contacts.joan, contacts.alan]);
    const response = await aliceConsole.post(`/api/members/${joanish.handle}/crm-suggestions/${contacts.joan}/reject`, { reason: 'A namesake: different person', confidence: before[0].confidence });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().decision).toMatchObject({ contactId: contacts.joan, decision: 'rejected' });
    const after = (await aliceConsole.get(`/api/members/${joanish.handle}/crm-suggestions`)).json().suggestions;
    expect(after.map((s: { contact: { id: string }; rejected: unknown }) => [s.contact.id, s.rejected])).toEqual([
      [contacts.alan, null],
      [contacts.joan, { at: '2025-06-02T09:00:00.000Z', by: 'agent_alice' }],
    ]);
    const rows = await auditRows(joanish.id);
    expect(rows).toEqual([expect.objectContaining({ action: 'crm.suggestion_rejected', actor_id: alice.id, reason: 'A namesake: different person' })]);
    expect(await scalar(db(), sql`select count(*) from crm_link_decisions where user_id = ${joanish.id} and decision = 'rejected' and contact_id = ${contacts.joan}`)).toBe(1);
    expectError(await aliceConsole.get('/api/members/nobody_here/crm-suggestions'), 404, 'member_not_found');
    expectError(await aliceConsole.post(`/api/members/${joanish.handle}/crm-suggestions/999999/reject`), 404, 'crm_contact_not_found');
    expectError(await aliceConsole.post(`/api/members/${joanish.handle}/crm-suggestions/${contacts.joan}/reject`, { reason: 'x'.repeat(501) }), 400, 'invalid_request', ['reason']);
  });
});

describe('linking and unlinking', () => {
  it('links with the confirmed suggestion recorded, shows the profile, and 409s a second link', async () => {
    const grace = await member('grace.h@navy.example', 'Grace Hopper');
    const evidence = [{ kind: 'domain', detail: 'navy.example', weight: 0.4 }, { kind: 'name', detail: 'Grace Hopper ~ Grace Hopper (1)', weight: 0.5 }];
    const response = await aliceConsole.post(`/api/members/${grace.handle}/crm-link`, { contactId: contacts.grace, confidence: 0.7, evidence });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().link).toMatchObject({ connector: 'directory', contactId: contacts.grace, status: 'active', tier: 'vip', linkedBy: 'agent_alice', linkedAt: '2025-06-02T09:00:00.000Z' });
    const { rows: decisions } = await db().execute(sql`select decision, confidence, evidence, decided_by_id from crm_link_decisions where user_id = ${grace.id}`);
    expect(decisions).toEqual([{ decision: 'confirmed', confidence: 0.7, evidence, decided_by_id: alice.id }]);
    expect(await auditRows(grace.id)).toEqual([
      expect.objectContaining({ action: 'crm.member_linked', actor_id: alice.id, data: expect.objectContaining({ before: null, after: { connector: 'directory', contactId: contacts.grace, tier: 'vip' } }) }),
    ]);

    const profile = (await bobConsole.get(`/api/members/${grace.handle}/crm`)).json();
    expect(profile.contact).toMatchObject({ id: contacts.grace, email: 'grace@navy.example', account: { name: 'US Navy', tier: 'vip', annualValue: 2_000_000 }, openCases: [] });
    expect(profile.link).toMatchObject({ contactId: contacts.grace, status: 'active' });
    const suggestions = (await bobConsole.get(`/api/members/${grace.handle}/crm-suggestions`)).json().suggestions;
    expect(suggestions[0]).toMatchObject({ contact: { id: contacts.grace }, linked: true });

    // unlink first: a second link is refused, even to the same contact, and changes nothing
    for (const contactId of [contacts.alan, contacts.grace]) {
      expect(expectError(await bobConsole.post(`/api/members/${grace.handle}/crm-link`, { contactId }), 409, 'already_linked').message).toContain(contacts.grace);
    }
    expectError(await bobConsole.post(`/api/members/${grace.handle}/crm-suggestions/${contacts.grace}/reject`), 409, 'contact_linked');
    expect(await auditRows(grace.id)).toHaveLength(1);
    expect(await scalar(db(), sql`select count(*) from crm_link_decisions where user_id = ${grace.id}`)).toBe(1);
  });

  it('keeps history when unlinking, and a new link after it is the active one', async () => {
    const ann = await member('ann@bletchley.example', 'Ann Other');
    expect((await aliceConsole.post(`/api/members/${ann.handle}/crm-link`, { contactId: contacts.joan })).statusCode).toBe(201);
    expectError(await aliceConsole.post(`/api/members/${ann.handle}/crm-unlink`, {}), 400, 'invalid_request', ['reason']);
    expectError(await aliceConsole.post(`/api/members/${ann.handle}/crm-unlink`, { reason: 'r'.repeat(501) }), 400, 'invalid_request', ['reason']);
    expectError(await aliceConsole.post(`/api/members/${ann.handle}/crm-unlink`, { reason: '   ' }), 400, 'invalid', ['reason']);
    clock.advance(30);
    const unlinked = await bobConsole.post(`/api/members/${ann.handle}/crm-unlink`, { reason: 'Wrong Bletchley person' });
    expect(unlinked.statusCode, unlinked.body).toBe(200);
    expect(unlinked.json().link).toMatchObject({ status: 'unlinked', unlinkedBy: 'agent_bob', unlinkedAt: '2025-06-02T09:30:00.000Z', unlinkReason: 'Wrong Bletchley person' });
    expectError(await bobConsole.post(`/api/members/${ann.handle}/crm-unlink`, { reason: 'again' }), 409, 'not_linked');
    expect((await bobConsole.get(`/api/members/${ann.handle}/crm`)).json()).toMatchObject({ link: null, contact: null, history: [{ contactId: contacts.joan, status: 'unlinked' }] });

    clock.advance(5);
    expect((await bobConsole.post(`/api/members/${ann.handle}/crm-link`, { contactId: contacts.alan })).statusCode).toBe(201);
    const profile = (await aliceConsole.get(`/api/members/${ann.handle}/crm`)).json();
    expect(profile.contact).toMatchObject({ id: contacts.alan, account: { name: 'Bletchley Park', tier: 'enterprise', annualValue: 150_000 } });
    expect(profile.history.map((l: { contactId: string; status: string; linkedBy: string }) => [l.contactId, l.status, l.linkedBy])).toEqual([
      [contacts.alan, 'active', 'agent_bob'],
      [contacts.joan, 'unlinked', 'agent_alice'],
    ]);
    expect((await auditRows(ann.id)).map((r) => [r.action, r.reason])).toEqual([
      ['crm.member_linked', null],
      ['crm.member_unlinked', 'Wrong Bletchley person'],
      ['crm.member_linked', null],
    ]);
  });

  it('shows open cases of the linked contact, from the connector', async () => {
    const ada = await member('ada.l@engines.example', 'Ada L');
    await aliceConsole.post(`/api/members/${ada.handle}/crm-link`, { contactId: contacts.ada });
    const opened = await crm.crmConnector(ctxFor(db(), alice, clock)).createCase({ contactId: contacts.ada, subject: 'Engine jams', description: 'Transcript', idempotencyKey: 'links-test-1' });
    const profile = (await aliceConsole.get(`/api/members/${ada.handle}/crm`)).json();
    expect(profile.contact.openCases).toEqual([expect.objectContaining({ id: opened.id, subject: 'Engine jams', status: 'open' })]);
  });

  it('refuses bad input with the field named, and unknown members and contacts with 404', async () => {
    const m = await member('m1@elsewhere.example', 'M One');
    expectError(await aliceConsole.post(`/api/members/${m.handle}/crm-link`, {}), 400, 'invalid_request', ['contactId']);
    expectError(await aliceConsole.post(`/api/members/${m.handle}/crm-link`, { contactId: contacts.ada, confidence: 1.5 }), 400, 'invalid_request', ['confidence']);
    expectError(await aliceConsole.post(`/api/members/${m.handle}/crm-link`, { contactId: 'x'.repeat(65) }), 400, 'invalid_request', ['contactId']);
    expectError(await aliceConsole.post(`/api/members/${m.handle}/crm-link`, { contactId: '424242' }), 404, 'crm_contact_not_found');
    expectError(await aliceConsole.post('/api/members/no_such_member/crm-link', { contactId: contacts.ada }), 404, 'member_not_found');
    expectError(await aliceConsole.get('/api/members/no_such_member/crm'), 404, 'member_not_found');
    expect(await auditRows(m.id)).toEqual([]);
  });

  it('lets exactly one of two agents linking the same member at once win, over real HTTP', async () => {
    const address = await mod.app.listen({ port: 0, host: '127.0.0.1' });
    const racer = await member('racer@bletchley.example', 'Race Condition');
    const post = (client: ApiClient, contactId: string) =>
      fetch(`${address}/api/members/${racer.handle}/crm-link`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'x-csrf-token': client.cookies.get('csrf_token') ?? '',
        },
        body: JSON.stringify({ contactId }),
      });
    // make sure both clients hold a CSRF cookie before the race
    await aliceConsole.get('/api/session');
    await bobConsole.get('/api/session');
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all([post(aliceConsole, contacts.alan), post(bobConsole, contacts.joan)]);
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409]);
      const loser = responses.find((r) => r.status === 409)!;
      expect((await loser.json()).error.code).toBe('already_linked');
      expect(await scalar(db(), sql`select count(*) from crm_links where user_id = ${racer.id} and status = 'active'`)).toBe(1);
      await aliceConsole.post(`/api/members/${racer.handle}/crm-unlink`, { reason: `round ${round}` });
    }
    // each round: one link, one confirmed decision, one unlink; the losers left nothing behind
    expect(await scalar(db(), sql`select count(*) from crm_link_decisions where user_id = ${racer.id}`)).toBe(5);
    expect(await scalar(db(), sql`select count(*) from crm_links where user_id = ${racer.id}`)).toBe(5);
    expect((await auditRows(racer.id)).map((r) => r.action)).toEqual(Array.from({ length: 5 }, () => ['crm.member_linked', 'crm.member_unlinked']).flat());
  });
});

describe('privacy', () => {
  let forum: TestForum;
  let grace: Actor;
  beforeAll(async () => {
    forum = await startForum({ database: mod.db, clock, jobs: false });
    grace = await member('grace.private@navy.example', 'Grace Private');
    expect((await aliceConsole.post(`/api/members/${grace.handle}/crm-link`, { contactId: contacts.grace })).statusCode).toBe(201);
  });
  afterAll(() => forum?.close());

  const CRM_WORDS = /crm|tier|contact|account|vip|US Navy|annual|openCases/i;
  /** Every key and string value in a JSON document. */
  const words = (value: unknown): string[] =>
    Array.isArray(value) ? value.flatMap(words) : value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [k, ...words(v)]) : typeof value === 'string' ? [value] : [];

  it('gives customers no CRM data: the forum has no such routes, and profiles carry no CRM field', async () => {
    const doc = (forum.app as unknown as { swagger(): { paths: Record<string, unknown> } }).swagger();
    expect(Object.keys(doc.paths).filter((p) => /crm/i.test(p))).toEqual([]);
    const self = await clientAs(forum, grace);
    const other = await clientAs(forum, await createMember(db()));
    const anonymous = new ApiClient(forum.app);
    for (const client of [self, other, anonymous]) {
      const profile = await client.get(`/api/users/${grace.handle}`);
      expect(profile.statusCode, profile.body).toBe(200);
      expect(words(profile.json()).filter((w) => CRM_WORDS.test(w))).toEqual([]);
      for (const url of [`/api/members/${grace.handle}/crm`, `/api/members/${grace.handle}/crm-suggestions`]) expect((await client.get(url)).statusCode).toBe(404);
      expect((await client.post(`/api/members/${grace.handle}/crm-link`, { contactId: contacts.grace })).statusCode).toBe(404);
    }
    const session = await self.get('/api/session');
    expect(words(session.json()).filter((w) => CRM_WORDS.test(w))).toEqual([]);
  });

  it('refuses the console routes to members (403) and anonymous callers (401)', async () => {
    const memberConsole = await clientAs(mod, await createMember(db()), { app: 'moderation' });
    const anonymous = new ApiClient(mod.app);
    const requests: Array<[string, string, unknown?]> = [
      ['GET', `/api/members/${grace.handle}/crm`],
      ['GET', `/api/members/${grace.handle}/crm-suggestions`],
      ['POST', `/api/members/${grace.handle}/crm-link`, { contactId: contacts.alan }],
      ['POST', `/api/members/${grace.handle}/crm-unlink`, { reason: 'mine' }],
      ['POST', `/api/members/${grace.handle}/crm-suggestions/${contacts.alan}/reject`, {}],
    ];
    for (const [method, url, body] of requests) {
      expect((await memberConsole.request(method as 'GET', url, body)).statusCode, `${method} ${url}`).toBe(403);
      expect((await anonymous.request(method as 'GET', url, body)).statusCode, `${method} ${url}`).toBe(401);
    }
    // members are refused by the services too, not only by the console's gate
    await expect(crm.memberCrmProfile(ctxFor(db(), grace, clock), grace.handle)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(crm.linkMember(ctxFor(db(), grace, clock), grace.handle, { contactId: contacts.alan })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(crm.suggestContacts(ctxFor(db(), null, clock), grace.handle)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect((await aliceConsole.get(`/api/members/${grace.handle}/crm`)).json().link.contactId).toBe(contacts.grace);
  });
});
