import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread } from '../support/factories.js';
import { clientAs, scalar } from '../support/api.js';

// Audit completeness: every console route that changes state writes exactly one audit row.
// The routes are read from the running moderation app, and every POST, PUT, PATCH and DELETE
// route must have a case in CASES below (or a written exemption), so a new action route cannot
// ship without being audited and tested here.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let clock: Clock;
let asker: Actor;
let peer: Actor;
let alice: Actor;
let sue: Actor;
let askerForum: ApiClient;
let aliceConsole: ApiClient;
let sueConsole: ApiClient;
let adaConsole: ApiClient;

beforeAll(async () => {
  // a Monday, so the QA case can sample the week that ends seven days later
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  forum = await startForum({ database: mod.db, clock, jobs: false });
  [asker, peer, alice, sue] = await Promise.all([
    createMember(mod.db.db, { trustLevel: 1 }),
    createMember(mod.db.db, { trustLevel: 2 }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_alice' }),
    createMember(mod.db.db, { role: 'supervisor', handle: 'super_sue' }),
  ]);
  [askerForum, aliceConsole, sueConsole, adaConsole] = await Promise.all([
    clientAs(forum, asker),
    clientAs(mod, alice, { app: 'moderation' }),
    clientAs(mod, sue, { app: 'moderation' }),
    clientAs(mod, await createMember(mod.db.db, { role: 'admin', handle: 'admin_ada' }), { app: 'moderation' }),
  ]);
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

const db = () => mod.db.db;
type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The routes the app serves, read from Fastify's route tree: "METHOD /api/path". */
function actionRoutes(): string[] {
  const tree = mod.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const found = new Set<string>();
  for (const line of tree.split('\n')) {
    const match = /^(.*?)(?:├── |└── )(.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = Math.round(match[1].length / 4);
    const path = (depth > 0 ? stack[depth - 1] : '') + match[2];
    stack[depth] = path;
    stack.length = depth + 1;
    if (!path.startsWith('/api/') || path.endsWith('*')) continue;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) found.add(`${method} ${path}`);
    }
  }
  return [...found].sort();
}

/** Makes one request and checks it succeeded and wrote exactly one audit row; returns its JSON. */
async function once(client: ApiClient, method: Method, url: string, body?: unknown): Promise<any> {
  const before = await scalar(db(), sql`select count(*) from audit_log`);
  const response = await client.request(method, url, method === 'DELETE' ? undefined : (body ?? {}));
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeGreaterThanOrEqual(200);
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  const { rows } = await db().execute<{ action: string }>(sql`select action from audit_log order by id desc limit 3`);
  expect(await scalar(db(), sql`select count(*) from audit_log`), `${method} ${url} wrote ${JSON.stringify(rows)}`).toBe(before + 1);
  return response.statusCode === 204 ? null : response.json();
}

// ---------------------------------------------------------------------------------------------
// Fixtures the cases share

async function thread(options: { category?: string; replies?: number } = {}) {
  const { thread: t, post } = await createThread(db(), asker, { category: options.category, clock });
  const replies = [];
  for (let i = 0; i < (options.replies ?? 0); i++) replies.push(await createReply(db(), peer, t.id, `Peer reply ${i + 1}: try restarting it.`, clock));
  return { threadId: t.id, postId: post.id, replies };
}

/** A thread in the queue (the asker requested staff): its id and the open item's. */
async function queued(options: { category?: string; replies?: number } = {}) {
  const made = await thread(options);
  expect((await askerForum.post(`/api/threads/${made.threadId}/request-staff`)).statusCode).toBe(201);
  const itemId = await scalar(db(), sql`select id from queue_items where thread_id = ${made.threadId} and status <> 'resolved'`);
  return { ...made, itemId };
}

async function heldPost() {
  const { slug } = await createCategory(db());
  await db().execute(sql`update categories set hold_first_posts = true where slug = ${slug}`);
  const newcomer = await createMember(db());
  return (await createThread(db(), newcomer, { category: slug, clock })).post.id;
}

async function flaggedPost() {
  const { replies } = await thread({ replies: 1 });
  const flagger = await clientAs(forum, await createMember(db(), { trustLevel: 1 }));
  expect((await flagger.post(`/api/posts/${replies[0].id}/flags`, { reason: 'spam' })).statusCode).toBe(201);
  return replies[0].id;
}

/** A contact in the CRM directory: its id as the connector gives it. */
async function crmContact(): Promise<string> {
  const n = await scalar(db(), sql`select count(*) + 1 from crm_contacts`);
  const { rows } = await db().execute<{ id: number }>(sql`insert into crm_contacts (first_name, last_name, email) values ('Pat', 'Lee', ${`pat${n}@acme.example`}) returning id`);
  return String(rows[0].id);
}

/** An item of the asker's (linked to a CRM contact once), escalated to a case. */
async function escalated(options: { closed?: boolean } = {}) {
  const linked = await scalar(db(), sql`select count(*) from crm_links where user_id = ${asker.id} and status = 'active'`);
  if (!linked) await once(aliceConsole, 'POST', `/api/members/${asker.handle}/crm-link`, { contactId: await crmContact() });
  const { itemId, threadId } = await queued();
  const { escalation } = await once(aliceConsole, 'POST', `/api/items/${itemId}/escalate`, { note: 'needs billing' });
  // support closing the case in the CRM, as the webhook or a poll would record it
  if (options.closed) await db().execute(sql`update crm_escalations set status = 'closed', draft_answer = 'Fixed.' where id = ${escalation.id}`);
  return { escalationId: escalation.id as number, threadId };
}

async function approvalCategory() {
  const { id, slug } = await createCategory(db());
  await db().execute(sql`update categories set reply_approval = true where id = ${id}`);
  return slug;
}

/** A pending draft: alice's staff reply in a category that asks for supervisor approval. */
async function pendingDraft() {
  const { threadId } = await queued({ category: await approvalCategory() });
  const draft = await aliceConsole.post(`/api/threads/${threadId}/staff-replies`, { body: 'Here is the fix: clear the cache.' });
  expect(draft.statusCode, draft.body).toBe(202);
  return draft.json().draft.id as number;
}

async function silenced() {
  const member = await createMember(db(), { trustLevel: 1 });
  expect((await aliceConsole.post(`/api/members/${member.handle}/silence`, { hours: 2, reason: 'cool off' })).statusCode).toBe(200);
  return member.handle;
}

async function suspended() {
  const member = await createMember(db(), { trustLevel: 1 });
  expect((await aliceConsole.post(`/api/members/${member.handle}/suspend`, { hours: 2, reason: 'cool off' })).statusCode).toBe(200);
  return member.handle;
}

async function cannedResponse() {
  return (await once(sueConsole, 'POST', '/api/canned-responses', { title: 'Reset steps', body: 'Hi {customer.name}, try a reset.' })).cannedResponse.id as number;
}

async function team() {
  return (await once(sueConsole, 'POST', '/api/teams', { name: `Team ${Math.random().toString(36).slice(2, 8)}` })).team.id as number;
}

// ---------------------------------------------------------------------------------------------
// One case per action route. `exempt` routes change no moderation state; say why.

type Case = { run: () => Promise<void> } | { exempt: string };

const CASES: Record<string, Case> = {
  'POST /api/auth/login': { exempt: 'starts a session (kept in sessions); not an action on the community' },
  'POST /api/auth/logout': { exempt: 'ends a session; not an action on the community' },
  'POST /api/queue/:id/presence': { exempt: 'a short-lived "viewing/drafting" signal for collision control; it expires by itself and changes nothing anyone acts on' },
  'POST /api/canned-responses/:id/render': { exempt: 'a read: fills in a canned response for a thread without saving anything' },

  // the queue
  'POST /api/queue/:id/claim': { run: async () => void (await once(aliceConsole, 'POST', `/api/queue/${(await queued()).itemId}/claim`)) },
  'POST /api/queue/:id/release': {
    run: async () => {
      const { itemId } = await queued();
      await once(aliceConsole, 'POST', `/api/queue/${itemId}/claim`);
      await once(aliceConsole, 'POST', `/api/queue/${itemId}/release`);
    },
  },
  'POST /api/queue/:id/resolve': { run: async () => void (await once(aliceConsole, 'POST', `/api/queue/${(await queued()).itemId}/resolve`, { note: 'done' })) },
  'POST /api/queue/:id/assign': { run: async () => void (await once(sueConsole, 'POST', `/api/queue/${(await queued()).itemId}/assign`, { agentId: alice.id })) },

  // flags and approvals
  'POST /api/posts/:id/flags/resolve': {
    run: async () => {
      await once(aliceConsole, 'POST', `/api/posts/${await flaggedPost()}/flags/resolve`, { outcome: 'disagree' });
      // agreeing and silencing the author is still one action
      await once(aliceConsole, 'POST', `/api/posts/${await flaggedPost()}/flags/resolve`, { outcome: 'agree', action: 'hide', silenceAuthorHours: 2 });
    },
  },
  'POST /api/flags/bulk': { run: async () => void (await once(aliceConsole, 'POST', '/api/flags/bulk', { postIds: [await flaggedPost()], outcome: 'defer' })) },
  'POST /api/approvals/:postId/approve': { run: async () => void (await once(aliceConsole, 'POST', `/api/approvals/${await heldPost()}/approve`)) },
  'POST /api/approvals/:postId/reject': { run: async () => void (await once(aliceConsole, 'POST', `/api/approvals/${await heldPost()}/reject`, { reason: 'spam' })) },
  'POST /api/approvals/bulk': { run: async () => void (await once(aliceConsole, 'POST', '/api/approvals/bulk', { postIds: [await heldPost()], action: 'approve' })) },

  // watched words
  'POST /api/watched-words': { run: async () => void (await once(sueConsole, 'POST', '/api/watched-words', { phrase: 'cheap watches', action: 'flag' })) },
  'DELETE /api/watched-words/:id': {
    run: async () => {
      const { watchedWord } = await once(sueConsole, 'POST', '/api/watched-words', { phrase: 'replica bags', action: 'hold' });
      await once(sueConsole, 'DELETE', `/api/watched-words/${watchedWord.id}`);
    },
  },

  // moderation
  'POST /api/posts/:id/hide': { run: async () => void (await once(aliceConsole, 'POST', `/api/posts/${(await thread({ replies: 1 })).replies[0].id}/hide`, { reason: 'personal data' })) },
  'POST /api/posts/:id/restore': {
    run: async () => {
      const postId = (await thread({ replies: 1 })).replies[0].id;
      await once(aliceConsole, 'POST', `/api/posts/${postId}/hide`, { reason: 'checking' });
      await once(aliceConsole, 'POST', `/api/posts/${postId}/restore`, { reason: 'fine after all' });
    },
  },
  'POST /api/threads/:id/close': { run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await queued()).threadId}/close`)) },
  'POST /api/threads/:id/reopen': {
    run: async () => {
      const { threadId } = await thread();
      await once(aliceConsole, 'POST', `/api/threads/${threadId}/close`, { reason: 'answered' });
      await once(aliceConsole, 'POST', `/api/threads/${threadId}/reopen`, { reason: 'came back' });
    },
  },
  'POST /api/threads/:id/pin': { run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await thread()).threadId}/pin`, { reason: 'FAQ' })) },
  'POST /api/threads/:id/unpin': {
    run: async () => {
      const { threadId } = await thread();
      await once(aliceConsole, 'POST', `/api/threads/${threadId}/pin`, { reason: 'FAQ' });
      await once(aliceConsole, 'POST', `/api/threads/${threadId}/unpin`, { reason: 'old' });
    },
  },
  'POST /api/threads/:id/move': {
    run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await thread()).threadId}/move`, { categoryId: (await createCategory(db())).id, reason: 'billing' })),
  },
  'POST /api/threads/:id/merge': {
    run: async () => {
      const target = await thread({ replies: 1 });
      await once(aliceConsole, 'POST', `/api/threads/${(await queued({ replies: 1 })).threadId}/merge`, { intoThreadId: target.threadId });
    },
  },
  'POST /api/members/:handle/silence': { run: async () => void (await once(aliceConsole, 'POST', `/api/members/${(await createMember(db())).handle}/silence`, { hours: 3, reason: 'insults' })) },
  'POST /api/members/:handle/unsilence': { run: async () => void (await once(aliceConsole, 'POST', `/api/members/${await silenced()}/unsilence`)) },
  'POST /api/members/:handle/suspend': { run: async () => void (await once(aliceConsole, 'POST', `/api/members/${(await createMember(db())).handle}/suspend`, { hours: 3, reason: 'spam run' })) },
  'POST /api/members/:handle/unsuspend': { run: async () => void (await once(aliceConsole, 'POST', `/api/members/${await suspended()}/unsuspend`, { reason: 'appeal' })) },

  // staff work
  'POST /api/threads/:id/staff-replies': { run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await queued()).threadId}/staff-replies`, { body: 'Staff here: fixed in 2.3.' })) },
  'POST /api/threads/:id/notes': { run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await queued()).threadId}/notes`, { body: 'Customer is on the old plan.' })) },
  'POST /api/posts/:id/verify': { run: async () => void (await once(aliceConsole, 'POST', `/api/posts/${(await queued({ replies: 1 })).replies[0].id}/verify`)) },
  'POST /api/threads/:id/nudge': { run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await queued()).threadId}/nudge`, { expertId: peer.id, note: 'You know this one' })) },
  'POST /api/threads/:id/take-private': { run: async () => void (await once(aliceConsole, 'POST', `/api/threads/${(await queued()).threadId}/take-private`, { message: 'Can you send your account id?' })) },
  'POST /api/conversations/:id/messages': {
    run: async () => {
      const { conversation } = await once(aliceConsole, 'POST', `/api/threads/${(await queued()).threadId}/take-private`, { message: 'Hello, staff here.' });
      await once(aliceConsole, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Any news?' });
    },
  },
  'POST /api/drafts/:id/approve': { run: async () => void (await once(sueConsole, 'POST', `/api/drafts/${await pendingDraft()}/approve`)) },
  'POST /api/drafts/:id/return': { run: async () => void (await once(sueConsole, 'POST', `/api/drafts/${await pendingDraft()}/return`, { note: 'Say which version.' })) },
  'PUT /api/drafts/:id': {
    run: async () => {
      const id = await pendingDraft();
      await once(sueConsole, 'POST', `/api/drafts/${id}/return`, { note: 'Say which version.' });
      await once(aliceConsole, 'PUT', `/api/drafts/${id}`, { body: 'Fixed in version 2.3: clear the cache.' });
    },
  },
  'POST /api/canned-responses': { run: async () => void (await cannedResponse()) },
  'PUT /api/canned-responses/:id': {
    run: async () => void (await once(sueConsole, 'PUT', `/api/canned-responses/${await cannedResponse()}`, { title: 'Reset steps v2', body: 'Hi {customer.name}, try this.' })),
  },
  'DELETE /api/canned-responses/:id': { run: async () => void (await once(sueConsole, 'DELETE', `/api/canned-responses/${await cannedResponse()}`)) },

  // teams and agents
  'POST /api/teams': { run: async () => void (await team()) },
  'PATCH /api/teams/:id': { run: async () => void (await once(sueConsole, 'PATCH', `/api/teams/${await team()}`, { autoAssign: true })) },
  'PUT /api/teams/:id/categories': { run: async () => void (await once(sueConsole, 'PUT', `/api/teams/${await team()}/categories`, { categoryIds: [(await createCategory(db())).id] })) },
  'PATCH /api/agents/:id': { run: async () => void (await once(sueConsole, 'PATCH', `/api/agents/${alice.id}`, { capacity: 7 })) },

  // the CRM directory: an import is one action, however many rows it holds
  'POST /api/crm/imports': {
    run: async () => {
      const csv = 'Record ID,First Name,Last Name,Email,Company Name\n101,Ann,Lee,ann@acme.example,Acme\n102,Bo,Kim,bo@acme.example,Acme\n';
      const { report } = await once(adaConsole, 'POST', '/api/crm/imports', { csv });
      expect(report.contacts.created).toBe(2);
      const { rows } = await db().execute<{ action: string; data: { accepted: number } }>(sql`select action, data from audit_log order by id desc limit 1`);
      expect(rows[0]).toMatchObject({ action: 'crm.contacts_imported', data: { accepted: 2 } });
    },
  },

  // linking members to CRM contacts: each link, unlink and rejection is one action
  'POST /api/members/:handle/crm-link': {
    run: async () => {
      const { link } = await once(aliceConsole, 'POST', `/api/members/${(await createMember(db())).handle}/crm-link`, { contactId: await crmContact(), confidence: 0.9 });
      expect(link.status).toBe('active');
      const { rows } = await db().execute<{ action: string }>(sql`select action from audit_log order by id desc limit 1`);
      expect(rows[0].action).toBe('crm.member_linked');
    },
  },
  'POST /api/members/:handle/crm-unlink': {
    run: async () => {
      const { handle } = await createMember(db());
      await once(aliceConsole, 'POST', `/api/members/${handle}/crm-link`, { contactId: await crmContact() });
      await once(aliceConsole, 'POST', `/api/members/${handle}/crm-unlink`, { reason: 'wrong person' });
    },
  },
  'POST /api/members/:handle/crm-suggestions/:contactId/reject': {
    run: async () => void (await once(aliceConsole, 'POST', `/api/members/${(await createMember(db())).handle}/crm-suggestions/${await crmContact()}/reject`, { reason: 'namesake' })),
  },

  'POST /api/items/:id/escalate': {
    run: async () => {
      const { threadId } = await escalated();
      const { rows } = await db().execute<{ action: string }>(sql`select action from audit_log where subject_type = 'thread' and subject_id = ${threadId}`);
      expect(rows.map((r) => r.action)).toEqual(['crm.thread_escalated']);
    },
  },
  'POST /api/escalations/:id/answer': {
    run: async () => void (await once(aliceConsole, 'POST', `/api/escalations/${(await escalated({ closed: true })).escalationId}/answer`, { body: 'Support fixed this.' })),
  },
  'POST /api/escalations/:id/close-thread': {
    run: async () => void (await once(aliceConsole, 'POST', `/api/escalations/${(await escalated({ closed: true })).escalationId}/close-thread`, { reason: 'billing only' })),
  },
  'POST /api/crm/directory/cases/:caseId': {
    run: async () => {
      const { escalationId } = await escalated();
      const { rows } = await db().execute<{ id: number }>(
        sql`insert into crm_cases (contact_id, subject, description, idempotency_key, created_at, updated_at) select contact_id::int, 'Case', 'Text', ${`k-${escalationId}`}, now(), now() from crm_escalations where id = ${escalationId} returning id`,
      );
      await db().execute(sql`update crm_escalations set case_id = ${String(rows[0].id)}, status = 'open' where id = ${escalationId}`);
      const { escalation } = await once(aliceConsole, 'POST', `/api/crm/directory/cases/${rows[0].id}`, { status: 'closed', resolution: 'Refunded.' });
      expect(escalation).toMatchObject({ id: escalationId, status: 'closed', needsAction: true });
    },
  },
  'POST /api/crm/webhooks/hubspot': {
    exempt: 'HubSpot reports ticket changes here, signed, with no staff actor; each event id is kept in crm_webhook_receipts',
  },
  'POST /api/crm/webhooks/cases': {
    exempt: 'the CRM reports case changes here, signed, with no staff actor; each delivery is kept in crm_webhook_receipts and the escalation row records what changed',
  },
  // privacy: erasing a member is one admin action, audited with its reason
  'POST /api/members/:handle/erase': {
    run: async () => {
      const { handle } = await createMember(db());
      await once(adaConsole, 'POST', `/api/members/${handle}/erase`, { reason: 'access request 17', confirmHandle: handle });
      const { rows } = await db().execute<{ action: string; reason: string }>(sql`select action, reason from audit_log order by id desc limit 1`);
      expect(rows[0]).toMatchObject({ action: 'privacy.member_erased', reason: 'access request 17' });
    },
  },

  // QA: alice resolves an item this week; next week a supervisor samples and scores it
  'POST /api/qa/sample': { run: async () => void (await once(sueConsole, 'POST', '/api/qa/sample', { weekStart: '2025-05-26' })) },
  'POST /api/qa/:id/score': {
    run: async () => {
      await once(aliceConsole, 'POST', `/api/queue/${(await queued()).itemId}/resolve`);
      clock.advance(7 * 24 * 60);
      await once(sueConsole, 'POST', '/api/qa/sample', { weekStart: '2025-06-02' });
      const reviews = (await sueConsole.get('/api/qa?week=2025-06-02')).json().reviews as Array<{ id: number; agent: { id: number } }>;
      const review = reviews.find((r) => r.agent.id === alice.id)!;
      await once(sueConsole, 'POST', `/api/qa/${review.id}/score`, { scores: { accuracy: 4, tone: 5, policy: 4, resolution: 5 }, comment: 'Good' });
    },
  },
};

describe('audit completeness', () => {
  let routes: string[] = [];
  beforeAll(() => {
    routes = actionRoutes();
  });

  it('finds the action routes of the console', () => {
    // print what was found, so a reader of the test output sees what is covered
    console.info(`console action routes (${routes.length}):\n${routes.join('\n')}`);
    expect(routes).toEqual(expect.arrayContaining(['POST /api/queue/:id/claim', 'POST /api/threads/:id/pin', 'DELETE /api/watched-words/:id']));
  });

  it('has a case (or a written exemption) for every POST, PUT, PATCH and DELETE route', () => {
    const missing = routes.filter((r) => !(r in CASES));
    expect(missing, `add these routes to CASES in ${import.meta.url.split('/').pop()}`).toEqual([]);
    for (const [key, c] of Object.entries(CASES)) if ('exempt' in c) expect(c.exempt.length, key).toBeGreaterThan(20);
  });

  for (const [key, c] of Object.entries(CASES)) {
    if ('exempt' in c) continue;
    it(`${key} writes exactly one audit row`, async () => {
      // a case for a route that is gone would test nothing
      expect(routes, 'this case names a route the app does not have').toContain(key);
      await c.run();
    });
  }
});
