import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { directoryConnector } from '@forum/core';
import { clientAs, expectError, scalar } from '../support/api.js';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { createMember } from '../support/factories.js';
import type { ApiClient } from '../support/http.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const salesforce = fixture('salesforce-contacts.csv');
const hubspot = fixture('hubspot-contacts.csv');

let mod: Awaited<ReturnType<typeof startModeration>>;
let admin: ApiClient;
let supervisor: ApiClient;
let agent: ApiClient;
let member: ApiClient;

const db = () => mod.db.db;
const importCsv = (client: ApiClient, csv: string) => client.request('POST', '/api/crm/imports', csv, { 'content-type': 'text/csv' });

beforeAll(async () => {
  mod = await startModeration();
  const [a, s, g, m] = await Promise.all(
    (['admin', 'supervisor', 'agent', 'member'] as const).map((role) => createMember(mod.db.db, { role, handle: `${role}_crm` })),
  );
  [admin, supervisor, agent, member] = await Promise.all([a, s, g, m].map((actor) => clientAs(mod, actor, { app: 'moderation' })));
});
afterAll(() => mod?.close());

describe('importing a Salesforce contacts export', () => {
  it('creates the contacts and their accounts, with tiers and values, and ignores columns it does not know', async () => {
    const response = await importCsv(admin, salesforce);
    expect(response.statusCode, response.body).toBe(200);
    const { report } = response.json();
    expect(report).toMatchObject({
      source: 'salesforce',
      rows: 4,
      accepted: 4,
      rejectedCount: 0,
      rejected: [],
      contacts: { created: 4, updated: 0, unchanged: 0 },
      accounts: { created: 3, updated: 0 },
      unknownColumns: ['Salutation', 'Mailing City', 'Lead Source'],
    });
    expect(report.mappedColumns).toMatchObject({ 'Contact ID': 'contactId', Email: 'email', 'Account Name': 'accountName', 'Annual Revenue': 'annualValue' });

    const crm = directoryConnector(db());
    const [priya] = await crm.searchContacts('priya.raman@northwind.example');
    // emails are stored lower-cased; the account carries tier, value and the domain without the www
    expect(priya).toMatchObject({ firstName: 'Priya', lastName: 'Raman', email: 'priya.raman@northwind.example', title: 'VP Engineering' });
    expect(priya.account).toMatchObject({ name: 'Northwind Traders', tier: 'vip', annualValue: 1_250_000, domain: 'northwind.example' });
    const full = await crm.getContact(priya.id);
    expect(full).toMatchObject({ phone: '+1 415 555 0101', externalIds: { salesforce: '0035g00000AbCdEAA1' }, openCases: [] });
    // quotes doubled inside a quoted field are read as one quote
    const [wei] = await crm.searchContacts('Wei Zhang');
    expect(wei).toMatchObject({ title: 'Developer, Platform "Core" team', account: { name: 'Fabrikam', tier: 'standard', annualValue: null } });
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await scalar(db(), sql`select count(*) from crm_contacts`);
    const { report } = (await importCsv(admin, salesforce)).json();
    expect(report).toMatchObject({ accepted: 4, contacts: { created: 0, updated: 0, unchanged: 4 }, accounts: { created: 0, updated: 0 } });
    expect(await scalar(db(), sql`select count(*) from crm_contacts`)).toBe(before);
  });

  it('updates a changed row and follows a changed email by the Salesforce id', async () => {
    const edited = salesforce
      .replace('"IT Manager"', '"Director of IT"')
      .replace('h.schulz@contoso.example', 'hannah.schulz@contoso.example');
    const { report } = (await importCsv(admin, edited)).json();
    expect(report.contacts).toEqual({ created: 0, updated: 2, unchanged: 2 });
    const crm = directoryConnector(db());
    expect((await crm.searchContacts('tomas.ortega@northwind.example'))[0].title).toBe('Director of IT');
    expect(await scalar(db(), sql`select count(*) from crm_contacts where email = 'h.schulz@contoso.example'`)).toBe(0);
    const [hannah] = await crm.searchContacts('hannah.schulz@contoso.example');
    expect((await crm.getContact(hannah.id))?.externalIds).toEqual({ salesforce: '0035g00000AbCdGAA1' });
  });
});

describe('importing a HubSpot contacts export', () => {
  it('accepts the good rows and reports each bad one with its row and reason', async () => {
    const response = await importCsv(admin, hubspot);
    expect(response.statusCode, response.body).toBe(200);
    const { report } = response.json();
    expect(report).toMatchObject({ source: 'hubspot', rows: 9, accepted: 4, rejectedCount: 5, contacts: { created: 4 }, accounts: { created: 2 } });
    expect(report.unknownColumns).toEqual(['Contact owner', 'Lifecycle Stage', 'Create Date', 'Last Activity Date']);
    expect(report.rejected).toEqual([
      { row: 5, reason: 'missing email', email: null },
      { row: 6, reason: 'malformed email "bad-address@"', email: 'bad-address@' },
      { row: 7, reason: 'duplicate email: also on row 2, which was imported', email: 'amara@tailspin.example' },
      { row: 8, reason: 'has 4 columns; the header has 12', email: 'short@adventure.example' },
      { row: 9, reason: 'title is longer than 200 characters', email: 'sam.long@adventure.example' },
    ]);
    const crm = directoryConnector(db());
    const found = await crm.searchContacts('tailspin');
    expect(found.map((c) => c.email).sort()).toEqual(['amara@tailspin.example', 'lars.nilsson@tailspin.example']);
    expect((await crm.getContact(found[0].id))?.externalIds).toHaveProperty('hubspot');
    // the rejected rows wrote nothing
    expect(await scalar(db(), sql`select count(*) from crm_contacts where email in ('short@adventure.example', 'sam.long@adventure.example')`)).toBe(0);
  });

  it('reports an unclosed quote as a malformed row and keeps the rows before it', async () => {
    const csv = 'Record ID,First Name,Last Name,Email,Company Name\n201,Ok,Row,ok.row@quote.example,Quote Co\n202,"Broken,Row,broken@quote.example,Quote Co\n203,Lost,Row,lost@quote.example,Quote Co\n';
    const { report } = (await importCsv(admin, csv)).json();
    expect(report).toMatchObject({ accepted: 1, rejectedCount: 1 });
    expect(report.rejected[0]).toMatchObject({ row: 3 });
    expect(report.rejected[0].reason).toMatch(/malformed CSV: a quoted field .* never closed/);
    expect(await scalar(db(), sql`select count(*) from crm_contacts where email like '%@quote.example'`)).toBe(1);
  });
});

describe('POST /api/crm/imports', () => {
  it('takes the CSV inside JSON too, with the layout named', async () => {
    const csv = 'First Name,Last Name,Email\nJo,March,jo.march@little.example\n';
    // neither export's marker columns: the caller says which vendor it came from
    expectError(await admin.post('/api/crm/imports', { csv }), 400, 'unknown_layout', ['csv']);
    const response = await admin.post('/api/crm/imports', { csv, source: 'hubspot' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().report).toMatchObject({ source: 'hubspot', contacts: { created: 1 } });
    // or, sending the file as it is, in the query
    const asFile = await admin.request('POST', '/api/crm/imports?source=salesforce', csv, { 'content-type': 'text/csv' });
    expect(asFile.json().report).toMatchObject({ source: 'salesforce', contacts: { created: 0, updated: 0, unchanged: 1 } });
  });

  it('refuses files it cannot read at all, clearly, and writes nothing', async () => {
    const audits = await scalar(db(), sql`select count(*) from audit_log`);
    expectError(await importCsv(admin, ''), 400, 'empty_file', ['csv']);
    expectError(await admin.post('/api/crm/imports', { csv: '   ' }), 400, 'empty_file', ['csv']);
    expectError(await admin.post('/api/crm/imports', {}), 400, 'invalid_request', ['csv']);
    expectError(await admin.post('/api/crm/imports', { csv: 'x', source: 'pipedrive' }), 400, 'invalid_request', ['source']);
    expectError(await admin.request('POST', '/api/crm/imports?source=pipedrive', 'Email\na@b.example\n', { 'content-type': 'text/csv' }), 400, 'invalid_request', ['source']);
    expectError(await importCsv(admin, 'Record ID,First Name,Company Name\n1,Ann,Acme\n'), 400, 'missing_email_column', ['csv']);
    expectError(await importCsv(admin, 'Record ID,"Email,Company Name\n1,a@b.example,Acme\n'), 400, 'malformed_csv', ['csv']);
    expectError(await importCsv(admin, '\n\n'), 400, 'empty_file', ['csv']);
    expect(await scalar(db(), sql`select count(*) from audit_log`)).toBe(audits);
  });

  it('takes a JSON body far over the API\'s usual 64 KB limit, skips blank rows, and lists at most 1000 rejected rows', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `${5000 + i},Nomail,Person${i},,Big Co`);
    const csv = ['Record ID,First Name,Last Name,Email,Company Name', ...rows, '6600,Has,Mail,has.mail@big.example,Big Co'].join('\n');
    // trailing blank rows, as spreadsheets save them
    const padded = csv + '\n' + ','.repeat(4).concat('\n').repeat(20_000);
    // a blank line still counts as a row, as in a spreadsheet
    const withGap = (await admin.post('/api/crm/imports', { csv: 'Record ID,Email,Company Name\n\n1,,Gap Co\n' })).json().report;
    expect(withGap.rejected).toEqual([{ row: 3, reason: 'missing email', email: null }]);
    expect(Buffer.byteLength(JSON.stringify({ csv: padded }))).toBeGreaterThan(64 * 1024);
    const response = await admin.post('/api/crm/imports', { csv: padded });
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    const { report } = response.json();
    expect(report).toMatchObject({ rows: 1501, accepted: 1, rejectedCount: 1500 });
    expect(report.rejected).toHaveLength(1000);
    expect(report.rejected[0]).toEqual({ row: 2, reason: 'missing email', email: null });
  });

  it('answers 413 for a file over 20 MB', async () => {
    const row = 'x'.repeat(1000) + '\n';
    const big = 'Record ID,Email,Company Name\n' + row.repeat(21 * 1024);
    expectError(await importCsv(admin, big), 413, 'body_too_large');
  });

  it('is for admins only: supervisors and agents get 403, members 403, anonymous 401', async () => {
    for (const client of [supervisor, agent, member]) expectError(await importCsv(client, hubspot), 403, 'forbidden');
    const { ApiClient } = await import('../support/http.js');
    expectError(await importCsv(new ApiClient(mod.app), hubspot), 401, 'unauthenticated');
  });

  it('writes one audit row per import with the counts', async () => {
    const before = await scalar(db(), sql`select count(*) from audit_log where action = 'crm.contacts_imported'`);
    await importCsv(admin, hubspot);
    const { rows } = await db().execute<{ data: Record<string, unknown> }>(sql`select data from audit_log where action = 'crm.contacts_imported' order by id desc limit 1`);
    expect(await scalar(db(), sql`select count(*) from audit_log where action = 'crm.contacts_imported'`)).toBe(before + 1);
    expect(rows[0].data).toMatchObject({ source: 'hubspot', rows: 9, accepted: 4, rejected: 5, contacts: { created: 0, unchanged: 4 } });
  });
});

describe('GET /api/crm/contacts', () => {
  it('finds contacts by name, email or account for any staff role', async () => {
    for (const client of [agent, supervisor, admin]) {
      const byName = (await client.get('/api/crm/contacts?q=priya')).json().contacts;
      expect(byName.map((c: { email: string }) => c.email)).toEqual(['priya.raman@northwind.example']);
    }
    const byAccount = (await agent.get('/api/crm/contacts?q=Northwind')).json().contacts;
    expect(byAccount.map((c: { email: string }) => c.email).sort()).toEqual(['priya.raman@northwind.example', 'tomas.ortega@northwind.example']);
    const byEmail = (await agent.get('/api/crm/contacts?q=CHEN.LI@adventure.example')).json().contacts;
    expect(byEmail[0]).toMatchObject({ firstName: 'Chen', account: { name: 'Adventure Works' } });
    // wildcards are literal
    expect((await agent.get('/api/crm/contacts?q=%25')).json().contacts).toEqual([]);
  });

  it('refuses members and bad queries', async () => {
    expectError(await member.get('/api/crm/contacts?q=priya'), 403, 'forbidden');
    expectError(await agent.get('/api/crm/contacts'), 400, 'invalid_request', ['q']);
    expectError(await agent.get('/api/crm/contacts?q=%20%20'), 400, 'invalid', ['q']);
    expectError(await agent.get(`/api/crm/contacts?q=${'a'.repeat(201)}`), 400, 'invalid_request', ['q']);
  });
});

describe('the forum app', () => {
  let forum: TestForum;
  beforeAll(async () => {
    forum = await startForum({ database: mod.db, jobs: false });
  });
  afterAll(() => forum?.close());

  it('serves no CRM data to members or anonymous readers', async () => {
    const doc = (forum.app as unknown as { swagger(): { paths: Record<string, unknown> } }).swagger();
    expect(Object.keys(doc.paths).filter((p) => /crm|contact/i.test(p))).toEqual([]);
    const reader = await clientAs(forum, await createMember(db()));
    for (const url of ['/api/crm/contacts?q=priya', '/api/crm/imports']) {
      expect((await reader.get(url)).statusCode).toBe(404);
      const { ApiClient } = await import('../support/http.js');
      expect((await new ApiClient(forum.app).get(url)).statusCode).toBe(404);
    }
  });
});
