import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { clientAs, scalar } from '../support/api.js';
import { startModeration } from '../support/apps.js';
import { createMember } from '../support/factories.js';
import type { ApiClient } from '../support/http.js';

// The issue's size: a 50k-row export must import in at most 20 s on the 2-core machine. The
// time is printed as a bench line rather than asserted, since the machine is shared; the counts
// are asserted.

const ROWS = 50_000;
const ACCOUNTS = 500;
const TIERS = ['vip', 'enterprise', 'standard', 'standard', ''];

function hubspotExport(): string {
  const lines = ['Record ID,First Name,Last Name,Email,Phone Number,Job Title,Company Name,Company Domain Name,Associated Company ID,Tier,Annual Revenue,Contact owner,Lifecycle Stage'];
  for (let i = 1; i <= ROWS; i++) {
    const a = i % ACCOUNTS;
    lines.push(
      [
        100_000 + i,
        `First${i}`,
        `Last${i}`,
        `person${i}@company${a}.example`,
        `+1 555 ${String(i).padStart(7, '0')}`,
        i % 7 === 0 ? '"Engineer, Platform"' : 'Buyer',
        `Company ${a}`,
        `company${a}.example`,
        9_000 + a,
        TIERS[a % TIERS.length],
        a % 3 === 0 ? '' : String(a * 1_000),
        'owner@ourco.example',
        'Customer',
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

let mod: Awaited<ReturnType<typeof startModeration>>;
let admin: ApiClient;

beforeAll(async () => {
  mod = await startModeration();
  admin = await clientAs(mod, await createMember(mod.db.db, { role: 'admin' }), { app: 'moderation' });
});
afterAll(() => mod?.close());

it('imports a 50k-row HubSpot export, and re-imports it without changing anything', { timeout: 120_000 }, async () => {
  const csv = hubspotExport();
  const post = () => admin.request('POST', '/api/crm/imports', csv, { 'content-type': 'text/csv' });

  let started = performance.now();
  const first = await post();
  const firstMs = performance.now() - started;
  expect(first.statusCode, first.body.slice(0, 300)).toBe(200);
  expect(first.json().report).toMatchObject({
    source: 'hubspot',
    rows: ROWS,
    accepted: ROWS,
    rejectedCount: 0,
    contacts: { created: ROWS, updated: 0, unchanged: 0 },
    accounts: { created: ACCOUNTS, updated: 0 },
    unknownColumns: ['Contact owner', 'Lifecycle Stage'],
  });
  expect(await scalar(mod.db.db, sql`select count(*) from crm_contacts`)).toBe(ROWS);
  expect(await scalar(mod.db.db, sql`select count(*) from crm_accounts where tier = 'vip'`)).toBe(ACCOUNTS / TIERS.length);

  started = performance.now();
  const second = await post();
  const secondMs = performance.now() - started;
  expect(second.json().report).toMatchObject({ accepted: ROWS, contacts: { created: 0, updated: 0, unchanged: ROWS }, accounts: { created: 0, updated: 0 } });

  // searching the full directory: by email, by name, by account
  const searchMs: number[] = [];
  for (const q of ['person49999@company499.example', 'First12345', 'Company 42']) {
    started = performance.now();
    const found = (await admin.get(`/api/crm/contacts?q=${encodeURIComponent(q)}`)).json().contacts as Array<{ email: string; account: { name: string } }>;
    searchMs.push(performance.now() - started);
    expect(found.length, q).toBeGreaterThan(0);
    expect(found[0].email.includes(q.toLowerCase()) || found[0].email.startsWith('person12345@') || found[0].account.name === q, q).toBe(true);
  }

  // suggestions for a member of a company with 100 contacts: email, domain and name branches all hit
  const member = await createMember(mod.db.db, { email: 'Person777@company277.example' });
  await mod.db.db.execute(sql`update users set display_name = 'First777 Last777' where id = ${member.id}`);
  started = performance.now();
  const suggested = await admin.get(`/api/members/${member.handle}/crm-suggestions`);
  const suggestMs = performance.now() - started;
  // again, warm: what an agent sees on the next member
  started = performance.now();
  expect((await admin.get(`/api/members/${member.handle}/crm-suggestions`)).statusCode).toBe(200);
  const warmMs = performance.now() - started;
  const { suggestions } = suggested.json() as { suggestions: Array<{ contact: { email: string }; evidence: Array<{ kind: string }>; confidence: number }> };
  expect(suggestions[0].contact.email).toBe('person777@company277.example');
  expect(suggestions[0].evidence.map((e) => e.kind)).toEqual(['email', 'domain', 'name']);
  expect(suggestions).toHaveLength(10);
  // the rest are colleagues by domain, a few with names close to First777 Last777 above the others
  expect(suggestions.slice(1).every((s) => s.evidence[0].kind === 'domain')).toBe(true);

  const mb = (Buffer.byteLength(csv) / 1024 / 1024).toFixed(1);
  console.info(
    `bench: crm import, ${ROWS} rows (${mb} MB): first ${(firstMs / 1000).toFixed(1)} s, re-import ${(secondMs / 1000).toFixed(1)} s (target ≤ 20 s); ` +
      `search over ${ROWS} contacts: ${searchMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}; link suggestions: ${suggestMs.toFixed(0)} ms first, ${warmMs.toFixed(0)} ms warm`,
  );
});
