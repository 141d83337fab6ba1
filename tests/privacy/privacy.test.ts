import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, USER_REFERENCES, type Actor } from '@forum/core';
import { clientAs, expectError, scalar } from '../support/api.js';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { Clock, createMember, createReply, createThread, PASSWORD, relaxedConfig } from '../support/factories.js';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { ApiClient } from '../support/http.js';

// Privacy requests from the console: an admin exports everything held about a member as one JSON
// file, or erases the member (posts stay under "Former member"; identity, sessions, CRM links and
// private data go). Both are admins' alone and both are audited.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let admin: ApiClient;
let agent: ApiClient;
let supervisor: ApiClient;
let memberConsole: ApiClient;

const db = () => mod.db.db;

interface Seeded {
  member: Actor;
  email: string;
  threadId: number;
  threadTitle: string;
  body: string;
  replyBody: string;
  contactId: string;
  session: ApiClient;
}

/** A member with a thread, a reply in someone else's thread, a vote, a badge, a notification, CRM records and a session. */
async function seedMember(tag: string): Promise<Seeded> {
  const member = await createMember(db(), { handle: `${tag}_${Math.random().toString(36).slice(2, 8)}` });
  const email = `${member.handle}@example.test`;
  const other = await createMember(db());
  const threadTitle = `How does ${tag} configure the widget?`;
  const body = `My ${tag} widget shows error 42 after the update.`;
  const { thread } = await createThread(db(), member, { title: threadTitle, body, clock });
  const { thread: otherThread, post: otherPost } = await createThread(db(), other, { clock });
  const replyBody = `From ${tag}: restart the ${tag} service first.`;
  await createReply(db(), member, otherThread.id, replyBody, clock);
  await db().execute(sql`insert into votes (post_id, user_id, value) values (${otherPost.id}, ${member.id}, 1)`);
  await db().execute(sql`insert into user_badges (user_id, badge, granted_at, grant_reason) values (${member.id}, ${`${tag}-badge`}, ${clock.now()}, 'helpful')`);
  await db().execute(sql`insert into notifications (user_id, kind, dedupe_key, thread_id, data) values (${member.id}, 'reply', ${`n-${tag}`}, ${thread.id}, '{}'::jsonb)`);
  const contactId = `CONTACT-${tag.toUpperCase()}-${member.id}`;
  await db().execute(sql`insert into crm_links (user_id, connector, contact_id, tier, linked_at) values (${member.id}, 'directory', ${contactId}, 'vip', ${clock.now()})`);
  await db().execute(
    sql`insert into crm_link_decisions (user_id, connector, contact_id, decision, decided_at) values (${member.id}, 'directory', ${contactId}, 'confirmed', ${clock.now()})`,
  );
  await db().execute(
    sql`insert into crm_escalations (thread_id, user_id, connector, contact_id, idempotency_key, subject, case_id, status, created_at)
        values (${thread.id}, ${member.id}, 'directory', ${contactId}, ${`key-${tag}-${member.id}`}, ${threadTitle}, ${`CASE-${member.id}`}, 'open', ${clock.now()})`,
  );
  return { member, email, threadId: thread.id, threadTitle, body, replyBody, contactId, session: await clientAs(forum, member) };
}

async function userRow(id: number) {
  const { rows } = await db().execute<Record<string, unknown>>(sql`select * from users where id = ${id}`);
  return rows[0];
}

const auditCount = () => scalar(db(), sql`select count(*) from audit_log`);

beforeAll(async () => {
  mod = await startModeration({ clock });
  forum = await startForum({ database: mod.db, clock, jobs: false });
  const [a, g, s, m] = await Promise.all([
    createMember(db(), { role: 'admin', handle: 'admin_ada' }),
    createMember(db(), { role: 'agent', handle: 'agent_alice' }),
    createMember(db(), { role: 'supervisor', handle: 'super_sue' }),
    createMember(db(), { handle: 'plain_member' }),
  ]);
  [admin, agent, supervisor, memberConsole] = await Promise.all([
    clientAs(mod, a, { app: 'moderation' }),
    clientAs(mod, g, { app: 'moderation' }),
    clientAs(mod, s, { app: 'moderation' }),
    clientAs(mod, m, { app: 'moderation' }),
  ]);
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

describe('export', () => {
  it("hands an admin one JSON file with the member's account, posts, votes, badges and CRM records, and nothing of anyone else", async () => {
    const ana = await seedMember('ana');
    const ben = await seedMember('ben');
    const before = await auditCount();

    const response = await admin.get(`/api/members/${ana.member.handle}/export`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="member-${ana.member.handle}-2025-06-02.json"`);
    const doc = response.json();
    expect(doc).toMatchObject({ format: 'community-member-export', version: 1, exportedAt: '2025-06-02T09:00:00.000Z' });
    expect(doc.account).toMatchObject({ handle: ana.member.handle, email: ana.email, role: 'member', erasedAt: null });
    expect(doc.threads).toEqual([expect.objectContaining({ id: ana.threadId, title: ana.threadTitle, deletedAt: null })]);
    expect(doc.posts.map((p: { body: string }) => p.body).sort()).toEqual([ana.body, ana.replyBody].sort());
    expect(doc.votes).toEqual([expect.objectContaining({ value: 1 })]);
    expect(doc.badges).toEqual([expect.objectContaining({ badge: 'ana-badge', grantReason: 'helpful' })]);
    expect(doc.notifications).toHaveLength(1);
    expect(doc.sessions.count).toBe(1);
    expect(doc.crm.links).toEqual([expect.objectContaining({ contactId: ana.contactId, tier: 'vip', status: 'active' })]);
    expect(doc.crm.linkDecisions).toEqual([expect.objectContaining({ contactId: ana.contactId, decision: 'confirmed' })]);
    expect(doc.crm.escalations).toEqual([expect.objectContaining({ caseId: `CASE-${ana.member.id}`, status: 'open' })]);

    // a session appears as times only, never the token's digest
    const { rows } = await db().execute<{ id: string }>(sql`select id from sessions where user_id = ${ana.member.id}`);
    expect(response.body).not.toContain(rows[0].id);
    // the other member's identity and content are absent
    for (const foreign of [ben.member.handle, ben.email, ben.contactId, ben.body, ben.replyBody, ben.threadTitle, 'ben-badge']) {
      expect(response.body, foreign).not.toContain(foreign);
    }

    expect(await auditCount()).toBe(before + 1);
    const { rows: audit } = await db().execute<{ action: string; subject_id: number }>(sql`select action, subject_id from audit_log order by id desc limit 1`);
    expect(audit[0]).toMatchObject({ action: 'privacy.member_exported', subject_id: ana.member.id });
  });

  it('is refused to agents, supervisors and members (403) and to anonymous callers (401), with nothing audited', async () => {
    const { member } = await seedMember('cara');
    const before = await auditCount();
    for (const client of [agent, supervisor, memberConsole]) {
      const response = await client.get(`/api/members/${member.handle}/export`);
      expect(response.statusCode, response.body).toBe(403);
      expect(response.body).not.toContain(member.handle);
    }
    expect((await new ApiClient(mod.app).get(`/api/members/${member.handle}/export`)).statusCode).toBe(401);
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 for a handle nobody has', async () => {
    expectError(await admin.get('/api/members/nobody_here/export'), 404, 'member_not_found');
  });
});

describe('erase', () => {
  it('anonymises the member: login fails, the profile is gone, threads show "Former member" with the text kept, CRM links removed, audited with the reason', async () => {
    const ana = await seedMember('dora');
    const before = await auditCount();

    const response = await admin.post(`/api/members/${ana.member.handle}/erase`, { reason: 'Erasure request #123', confirmHandle: ana.member.handle });
    expect(response.statusCode, response.body).toBe(200);
    const erased = response.json().member;
    expect(erased).toMatchObject({ id: ana.member.id, handle: `former-member-${ana.member.id}`, kept: { threads: 1, posts: 2, votes: 1 } });

    // logging in with the old email or handle and the right password is the ordinary refusal
    const visitor = new ApiClient(forum.app);
    for (const login of [ana.email, ana.member.handle, erased.handle]) {
      expectError(await visitor.post('/api/auth/login', { login, password: PASSWORD }), 401, 'invalid_credentials');
    }
    // the session they had is gone
    expect((await ana.session.get('/api/session')).json()).toMatchObject({ user: null });
    expect(await scalar(db(), sql`select count(*) from sessions where user_id = ${ana.member.id}`)).toBe(0);

    expectError(await visitor.get(`/api/users/${ana.member.handle}`), 404, 'member_not_found');

    const thread = (await visitor.get(`/api/threads/${ana.threadId}`)).json();
    expect(thread.thread.title).toBe(ana.threadTitle);
    expect(thread.thread.author).toMatchObject({ handle: erased.handle, displayName: 'Former member' });
    expect(thread.posts[0].author).toMatchObject({ displayName: 'Former member' });
    expect(thread.posts[0].bodyMarkdown ?? thread.posts[0].bodyHtml).toContain('error 42');

    expect(await scalar(db(), sql`select count(*) from crm_links where user_id = ${ana.member.id}`)).toBe(0);
    expect(await scalar(db(), sql`select count(*) from crm_link_decisions where user_id = ${ana.member.id}`)).toBe(0);
    expect(await scalar(db(), sql`select count(*) from crm_escalations where contact_id = ${ana.contactId} or user_id = ${ana.member.id}`)).toBe(0);
    expect(await scalar(db(), sql`select count(*) from crm_escalations where case_id = ${`CASE-${ana.member.id}`}`)).toBe(1);
    expect(await scalar(db(), sql`select count(*) from notifications where user_id = ${ana.member.id}`)).toBe(0);
    expect(await scalar(db(), sql`select count(*) from user_badges where user_id = ${ana.member.id}`)).toBe(0);
    expect(await scalar(db(), sql`select count(*) from votes where user_id = ${ana.member.id}`)).toBe(1);

    const user = await userRow(ana.member.id);
    expect(user).toMatchObject({ handle: erased.handle, display_name: 'Former member', email: `erased+${ana.member.id}@invalid` });
    expect(new Date(String(user.erased_at)).toISOString()).toBe('2025-06-02T09:00:00.000Z');

    expect(await auditCount()).toBe(before + 1);
    const { rows } = await db().execute<{ action: string; subject_type: string; subject_id: number; reason: string; data: unknown }>(
      sql`select action, subject_type, subject_id, reason, data from audit_log order by id desc limit 1`,
    );
    expect(rows[0]).toMatchObject({ action: 'privacy.member_erased', subject_type: 'user', subject_id: ana.member.id, reason: 'Erasure request #123' });
    // the audit row itself keeps no trace of who the person was
    expect(JSON.stringify(rows[0])).not.toContain(ana.member.handle);
    expect(JSON.stringify(rows[0])).not.toContain(ana.email);
  });

  it('delivers nothing to the erased account afterwards, and nobody may sign up as a former member', async () => {
    const ana = await seedMember('nora');
    const { member } = (await admin.post(`/api/members/${ana.member.handle}/erase`, { reason: 'request by email', confirmHandle: ana.member.handle })).json();
    const replier = await createMember(db());
    await createReply(db(), replier, ana.threadId, 'Still relevant: this fixed it for me.', clock);
    await runDueJobs({ db: db(), now: clock.now, config: relaxedConfig }, jobHandlers);
    expect(await scalar(db(), sql`select count(*) from notifications where user_id = ${ana.member.id}`)).toBe(0);
    const signUp = await new ApiClient(forum.app).post('/api/auth/signup', { handle: member.handle.replace(/\d+$/, '99999'), email: 'pose@example.test', password: 'correct horse battery' });
    expect(signUp.statusCode, signUp.body).toBe(409);
  });

  it('leaves an anonymised shell that the export shows as such', async () => {
    const ana = await seedMember('emil');
    const { handle } = (await admin.post(`/api/members/${ana.member.handle}/erase`, { reason: 'request by email', confirmHandle: ana.member.handle })).json().member;
    const response = await admin.get(`/api/members/${handle}/export`);
    expect(response.statusCode, response.body).toBe(200);
    const doc = response.json();
    expect(doc.account).toMatchObject({ handle, displayName: 'Former member', email: `erased+${ana.member.id}@invalid`, erasedAt: '2025-06-02T09:00:00.000Z' });
    expect(doc.posts).toHaveLength(2);
    expect(doc.crm).toEqual({ links: [], linkDecisions: [], escalations: [] });
    expect(doc.sessions.count).toBe(0);
    expect(doc.badges).toEqual([]);
    expect(response.body).not.toContain(ana.email);
    expect(response.body).not.toContain(ana.member.handle);
  });

  it('refuses agents, supervisors and members (403) and anonymous callers (401), changing nothing', async () => {
    const { member } = await seedMember('finn');
    const row = await userRow(member.id);
    const before = await auditCount();
    for (const client of [agent, supervisor, memberConsole]) {
      expect((await client.post(`/api/members/${member.handle}/erase`, { reason: 'no right to do this', confirmHandle: member.handle })).statusCode).toBe(403);
    }
    expect((await new ApiClient(mod.app).post(`/api/members/${member.handle}/erase`, { reason: 'no right', confirmHandle: member.handle })).statusCode).toBe(401);
    expect(await userRow(member.id)).toEqual(row);
    expect(await scalar(db(), sql`select count(*) from crm_links where user_id = ${member.id}`)).toBe(1);
    expect(await auditCount()).toBe(before);
  });

  it('needs the handle typed again and a reason (400 naming the field), changing nothing', async () => {
    const { member } = await seedMember('gus');
    const row = await userRow(member.id);
    const before = await auditCount();
    expectError(await admin.post(`/api/members/${member.handle}/erase`, { reason: 'request 9', confirmHandle: 'someone_else' }), 400, 'confirmation_mismatch', ['confirmHandle']);
    expectError(await admin.post(`/api/members/${member.handle}/erase`, { confirmHandle: member.handle }), 400, 'invalid_request', ['reason']);
    expectError(await admin.post(`/api/members/${member.handle}/erase`, { reason: '   ', confirmHandle: member.handle }), 400, 'invalid', ['reason']);
    expectError(await admin.post(`/api/members/${member.handle}/erase`, { reason: 'x'.repeat(501), confirmHandle: member.handle }), 400, 'invalid_request', ['reason']);
    expect(await userRow(member.id)).toEqual(row);
    expect(await auditCount()).toBe(before);
  });

  it('refuses a second erasure (409) and forgets the old handle (404)', async () => {
    const { member } = await seedMember('hana');
    const first = await admin.post(`/api/members/${member.handle}/erase`, { reason: 'request 10', confirmHandle: member.handle });
    expect(first.statusCode, first.body).toBe(200);
    const { handle } = first.json().member;
    const before = await auditCount();
    expectError(await admin.post(`/api/members/${handle}/erase`, { reason: 'request 10 again', confirmHandle: handle }), 409, 'already_erased');
    expectError(await admin.post(`/api/members/${member.handle}/erase`, { reason: 'request 10 again', confirmHandle: member.handle }), 404, 'member_not_found');
    expect(await auditCount()).toBe(before);
  });

  it('refuses to erase a staff account (409), which the console trail points at', async () => {
    const staff = await createMember(db(), { role: 'agent' });
    expectError(await admin.post(`/api/members/${staff.handle}/erase`, { reason: 'leaving the company', confirmHandle: staff.handle }), 409, 'staff_account');
    expect((await userRow(staff.id)).erased_at).toBeNull();
  });
});

describe('cached forum pages', () => {
  it("show the erased author as 'Former member' once the erasure's event arrives, not the cached name", async () => {
    const cached = await buildForumApp({ database: mod.db, config: relaxedConfig, now: clock.now, ui: false, jobs: false, pageCache: true });
    try {
      await cached.realtime.ready;
      const ana = await seedMember('jo');
      const visitor = new ApiClient(cached);
      const read = async () => (await visitor.get(`/api/threads/${ana.threadId}`)).json().thread.author.displayName as string;
      expect(await read()).toBe(ana.member.displayName);
      expect(await read()).toBe(ana.member.displayName);
      expect((await admin.post(`/api/members/${ana.member.handle}/erase`, { reason: 'request 77', confirmHandle: ana.member.handle })).statusCode).toBe(200);
      let shown = await read();
      for (let i = 0; i < 50 && shown !== 'Former member'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        shown = await read();
      }
      expect(shown).toBe('Former member');
    } finally {
      await cached.close();
    }
  });
});

describe('coverage of member data', () => {
  it('has decided, for every column that refers to users, what export and erasure do with it', async () => {
    const { rows } = await db().execute<{ ref: string }>(sql`
      select kcu.table_name || '.' || kcu.column_name as ref
        from information_schema.table_constraints tc
        join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
        join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
       where tc.constraint_type = 'FOREIGN KEY' and ccu.table_name = 'users' and tc.table_schema = current_schema()`);
    const inDatabase = [...new Set(rows.map((r) => r.ref))].sort();
    expect(inDatabase.length).toBeGreaterThan(20);
    expect(inDatabase.filter((ref) => !(ref in USER_REFERENCES)), 'add these to USER_REFERENCES in packages/core/src/privacy/coverage.ts and handle them').toEqual([]);
    expect(Object.keys(USER_REFERENCES).filter((ref) => !inDatabase.includes(ref)), 'USER_REFERENCES names columns that no longer exist').toEqual([]);
  });
});

describe("the console's member page data", () => {
  it('tells staff the account facts, and only admins that they may export and erase', async () => {
    const { member } = await seedMember('ivy');
    const asAdmin = (await admin.get(`/api/members/${member.handle}`)).json().member;
    expect(asAdmin).toMatchObject({ id: member.id, handle: member.handle, role: 'member', threads: 1, posts: 2, abilities: { export: true, erase: true } });
    const asAgent = (await agent.get(`/api/members/${member.handle}`)).json().member;
    expect(asAgent.abilities).toEqual({ export: false, erase: false });
    expect(asAgent).not.toHaveProperty('email');
  });
});
