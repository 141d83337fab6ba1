import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@forum/core';
import { clientAs } from '../support/api.js';
import { startModeration } from '../support/apps.js';
import { createMember } from '../support/factories.js';
import type { ApiClient } from '../support/http.js';

// Walks every route of the console's API (from its OpenAPI document, so a new route cannot be
// missed) for each role, and checks who gets in. The expected gate of each route is written
// down here: a route missing from this table fails the test until someone decides who may use it.
type Access = 'public' | 'insights' | 'staff' | 'supervisor' | 'admin';

const ACCESS: Record<string, Access> = {
  'GET /api/health': 'public',
  'GET /api/session': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'public',

  'GET /api/queue': 'staff',
  'GET /api/queue/unanswered': 'staff',
  'POST /api/queue/{id}/claim': 'staff',
  'POST /api/queue/{id}/release': 'staff',
  'POST /api/queue/{id}/resolve': 'staff',
  'GET /api/queue/{id}': 'staff',
  'POST /api/queue/{id}/presence': 'staff',
  'POST /api/queue/{id}/assign': 'supervisor',

  'GET /api/teams': 'staff',
  'POST /api/teams': 'supervisor',
  'PATCH /api/teams/{id}': 'supervisor',
  'PUT /api/teams/{id}/categories': 'supervisor',
  'GET /api/agents': 'staff',
  // agents may set their own on-duty status; the service refuses the rest (403)
  'PATCH /api/agents/{id}': 'staff',

  'GET /api/flags': 'staff',
  'POST /api/posts/{id}/flags/resolve': 'staff',

  'GET /api/categories': 'staff',
  'GET /api/audit': 'staff',
  'GET /api/approvals': 'staff',
  'POST /api/approvals/{postId}/approve': 'staff',
  'POST /api/approvals/{postId}/reject': 'staff',
  'POST /api/approvals/bulk': 'staff',
  'POST /api/flags/bulk': 'staff',
  'POST /api/posts/{id}/hide': 'staff',
  'POST /api/posts/{id}/restore': 'staff',
  'POST /api/threads/{id}/close': 'staff',
  'POST /api/threads/{id}/reopen': 'staff',
  'POST /api/threads/{id}/pin': 'staff',
  'POST /api/threads/{id}/unpin': 'staff',
  'POST /api/threads/{id}/move': 'staff',
  'POST /api/threads/{id}/merge': 'staff',
  'POST /api/members/{handle}/silence': 'staff',
  'POST /api/members/{handle}/suspend': 'staff',
  'POST /api/members/{handle}/unsilence': 'staff',
  'POST /api/members/{handle}/unsuspend': 'staff',

  'GET /api/items/{id}/thread': 'staff',
  'POST /api/threads/{id}/staff-replies': 'staff',
  'POST /api/threads/{id}/notes': 'staff',
  'POST /api/posts/{id}/verify': 'staff',
  'GET /api/threads/{id}/experts': 'staff',
  'POST /api/threads/{id}/nudge': 'staff',
  'POST /api/threads/{id}/take-private': 'staff',
  'GET /api/conversations/{id}': 'staff',
  'POST /api/conversations/{id}/messages': 'staff',
  'GET /api/drafts': 'supervisor',
  'POST /api/drafts/{id}/approve': 'supervisor',
  'POST /api/drafts/{id}/return': 'supervisor',
  // the draft's own agent resubmits it; the service refuses anyone else
  'PUT /api/drafts/{id}': 'staff',
  'GET /api/canned-responses': 'staff',
  'POST /api/canned-responses': 'supervisor',
  'PUT /api/canned-responses/{id}': 'supervisor',
  'DELETE /api/canned-responses/{id}': 'supervisor',
  'POST /api/canned-responses/{id}/render': 'staff',

  'GET /api/dashboard': 'supervisor',
  'GET /api/dashboard/me': 'staff',
  // supervisors see every agent's reviews, an agent only their own
  'GET /api/qa': 'staff',
  'POST /api/qa/sample': 'supervisor',
  'POST /api/qa/{id}/score': 'supervisor',

  'GET /api/watched-words': 'supervisor',
  'POST /api/watched-words': 'supervisor',
  'DELETE /api/watched-words/{id}': 'supervisor',

  // importing writes the company's customer data: admins only; searching it is agents' daily work
  'POST /api/crm/imports': 'admin',
  'GET /api/crm/contacts': 'staff',
  // linking members to contacts: staff; customers never reach any of it
  'GET /api/members/{handle}/crm-suggestions': 'staff',
  'POST /api/members/{handle}/crm-link': 'staff',
  'POST /api/members/{handle}/crm-suggestions/{contactId}/reject': 'staff',
  'POST /api/members/{handle}/crm-unlink': 'staff',
  'GET /api/members/{handle}/crm': 'staff',
  // escalating to CRM cases is agents' work; the CRM's webhook has no session, its signature is checked instead
  'POST /api/items/{id}/escalate': 'staff',
  'GET /api/escalations': 'staff',
  'GET /api/threads/{id}/escalations': 'staff',
  'POST /api/escalations/{id}/answer': 'staff',
  'POST /api/escalations/{id}/close-thread': 'staff',
  'POST /api/crm/webhooks/cases': 'public',
  'POST /api/crm/webhooks/hubspot': 'public',
  'GET /api/dashboard/crm-self-service': 'supervisor',
  // insights: product teams and staff, read-only
  'GET /api/insights/sentiment': 'insights',
  'GET /api/insights/negative-threads': 'insights',
  'GET /api/insights/gratitude': 'insights',
  'GET /api/insights/unanswered-topics': 'insights',
  'POST /api/crm/directory/cases/{caseId}': 'staff',
  // a member's page is staff work; exporting and erasing their data are admins' privacy duties
  'GET /api/members/{handle}': 'staff',
  'GET /api/members/{handle}/export': 'admin',
  'POST /api/members/{handle}/erase': 'admin',
  'GET /api/members/{handle}/history': 'staff',
};

// Ids in paths point at nothing: a role that gets through the gate sees 404 or 400, never 401/403.
const MISSING_ID = '987654';
const ROLES: (Role | 'anonymous')[] = ['anonymous', 'member', 'product', 'agent', 'supervisor', 'admin'];

interface Route {
  key: string;
  method: string;
  url: string;
}

function expectedStatus(access: Access, role: Role | 'anonymous'): 'refused-401' | 'refused-403' | 'allowed' {
  if (access === 'public') return 'allowed';
  if (role === 'anonymous') return 'refused-401';
  if (role === 'member') return 'refused-403';
  // product teams read the insights and nothing else
  if (role === 'product') return access === 'insights' ? 'allowed' : 'refused-403';
  if (access === 'supervisor' && role === 'agent') return 'refused-403';
  if (access === 'admin' && role !== 'admin') return 'refused-403';
  return 'allowed';
}

describe('the console role matrix', () => {
  let running: Awaited<ReturnType<typeof startModeration>>;
  let routes: Route[];
  const clients = new Map<Role | 'anonymous', ApiClient>();

  beforeAll(async () => {
    running = await startModeration();
    const doc = (running.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger();
    routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), url: path.replace(/\{[^}]+\}/g, MISSING_ID) })),
    );
    const { ApiClient } = await import('../support/http.js');
    clients.set('anonymous', new ApiClient(running.app));
    for (const role of ['member', 'product', 'agent', 'supervisor', 'admin'] as const) {
      const actor = await createMember(running.db.db, { role, handle: `${role}_matrix` });
      clients.set(role, await clientAs(running, actor, { app: 'moderation' }));
    }
  });
  afterAll(() => running?.close());

  it('knows every console route, and every route it knows exists', () => {
    const found = routes.map((r) => r.key).sort();
    expect(found.filter((key) => !(key in ACCESS)), 'routes with no decided access').toEqual([]);
    expect(Object.keys(ACCESS).filter((key) => !found.includes(key)), 'table rows for routes that no longer exist').toEqual([]);
  });

  for (const role of ROLES) {
    it(`gives ${role} exactly the routes of their role, and never a 500`, async () => {
      const client = clients.get(role)!;
      const wrong: string[] = [];
      for (const route of routes) {
        const access = ACCESS[route.key];
        if (!access || route.key === 'POST /api/auth/logout') continue;
        // an empty body: callers that get past the gate see the validation error, not the work
        const response = await client.request(route.method as 'GET', route.url, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
        const want = expectedStatus(access, role);
        const status = response.statusCode;
        const got = status === 401 ? 'refused-401' : status === 403 && response.json().error?.code !== 'csrf_failed' ? 'refused-403' : 'allowed';
        // a member logging in to the console is refused by the login itself: that route is public
        if (route.key === 'POST /api/auth/login') continue;
        // open to every caller, refused (401) to all without the CRM's signature: tests/crm/escalation.test.ts
        if (route.key === 'POST /api/crm/webhooks/cases' || route.key === 'POST /api/crm/webhooks/hubspot') continue;
        if (got !== want || status >= 500) wrong.push(`${route.key} → ${status} (${response.body.slice(0, 120)}), expected ${want}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});
