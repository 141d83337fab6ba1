import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startModeration } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createMember, PASSWORD } from '../support/factories.js';
import { clientAs, expectError, rawRequest, scalar } from '../support/api.js';

// The agents' console: its own session cookie (console_sid), staff only.

let mod: Awaited<ReturnType<typeof startModeration>>;
let member: Actor;
let agent: Actor;
let supervisor: Actor;

beforeAll(async () => {
  mod = await startModeration();
  [member, agent, supervisor] = await Promise.all([
    createMember(mod.db.db, { handle: 'plain_member', email: 'plain@example.test' }),
    createMember(mod.db.db, { handle: 'agent_alice', email: 'alice@support.example.test', role: 'agent' }),
    createMember(mod.db.db, { handle: 'super_sue', role: 'supervisor' }),
    createMember(mod.db.db, { handle: 'admin_ann', role: 'admin' }),
  ]);
});
afterAll(async () => mod?.close());

const cookieNamed = (response: { cookies: unknown[] }, name: string) =>
  (response.cookies as Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string }>).find((c) => c.name === name);

describe('GET /api/health', () => {
  it('reports the database ok', async () => {
    const response = await mod.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: { ok: true, latencyMs: expect.any(Number) } });
  });
});

describe('GET /api/session', () => {
  it('answers an anonymous visitor with no user and a CSRF token', async () => {
    const response = await mod.app.inject({ method: 'GET', url: '/api/session' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ user: null, csrfToken: cookieNamed(response, 'csrf_token')!.value });
  });
});

describe('POST /api/auth/login', () => {
  for (const [role, login] of [
    ['agent', 'agent_alice'],
    ['agent, by email', 'Alice@Support.example.test'],
    ['supervisor', 'super_sue'],
    ['admin', 'admin_ann'],
  ] as const) {
    it(`logs in staff (${role}) with a console session`, async () => {
      const client = new ApiClient(mod.app);
      const response = await client.post('/api/auth/login', { login, password: PASSWORD });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().user).toMatchObject({ staff: true, email: expect.any(String) });
      const sid = cookieNamed(response, 'console_sid');
      expect(sid?.httpOnly).toBe(true);
      expect(sid?.sameSite).toBe('Lax');
      expect(cookieNamed(response, 'sid')).toBeUndefined();
      expect((await client.get('/api/session')).json().user).toMatchObject({ staff: true });
    });
  }

  it('returns the full session user', async () => {
    const response = await new ApiClient(mod.app).post('/api/auth/login', { login: 'agent_alice', password: PASSWORD });
    expect(response.json().user).toEqual({
      id: agent.id,
      handle: 'agent_alice',
      displayName: 'agent_alice',
      email: 'alice@support.example.test',
      role: 'agent',
      staff: true,
      trustLevel: 0,
      reputation: 0,
      silenced: false,
    });
  });

  it('refuses a member with 403 forbidden and a clear message, and starts no session', async () => {
    const client = new ApiClient(mod.app);
    const response = await client.post('/api/auth/login', { login: 'plain_member', password: PASSWORD });
    const error = expectError(response, 403, 'forbidden');
    expect(error.message).toBe('The moderation console is for agents, supervisors and admins');
    expect(cookieNamed(response, 'console_sid')).toBeUndefined();
    expect(await scalar(mod.db.db, sql`select count(*) from sessions where user_id = ${member.id}`)).toBe(0);
    expect((await client.get('/api/session')).json().user).toBeNull();
  });

  it('answers 401 invalid_credentials for a wrong password or an unknown account, staff or not', async () => {
    const client = new ApiClient(mod.app);
    const wrong = expectError(await client.post('/api/auth/login', { login: 'agent_alice', password: 'not it at all' }), 401, 'invalid_credentials');
    const unknown = expectError(await client.post('/api/auth/login', { login: 'ghost_agent', password: PASSWORD }), 401, 'invalid_credentials');
    // A member with the wrong password learns nothing about being a member.
    const memberWrong = expectError(await client.post('/api/auth/login', { login: 'plain_member', password: 'not it at all' }), 401, 'invalid_credentials');
    expect(new Set([wrong.message, unknown.message, memberWrong.message]).size).toBe(1);
  });

  it('answers 400 for missing or extra fields', async () => {
    const client = new ApiClient(mod.app);
    expectError(await client.post('/api/auth/login', { login: 'agent_alice' }), 400, 'invalid_request', ['password']);
    expectError(await client.post('/api/auth/login', { password: PASSWORD }), 400, 'invalid_request', ['login']);
    expectError(await client.post('/api/auth/login', { login: 'agent_alice', password: PASSWORD, role: 'admin' }), 400, 'invalid_request', ['role']);
  });

  it('needs the CSRF header like every state change', async () => {
    const response = await rawRequest(mod.app, 'POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ login: 'agent_alice', password: PASSWORD }),
    });
    expectError(response, 403, 'csrf_failed');
    expect(cookieNamed(response, 'console_sid')).toBeUndefined();
  });
});

describe('sessions are per app', () => {
  it('does not accept a forum session cookie', async () => {
    const forumSession = await clientAs(mod, agent, { app: 'forum' });
    const token = forumSession.cookies.get('sid')!;
    const response = await rawRequest(mod.app, 'GET', '/api/session', { headers: { cookie: `sid=${token}; console_sid=${token}` } });
    expect(response.json().user).toBeNull();
    expectError(await rawRequest(mod.app, 'GET', '/api/queue/unanswered', { headers: { cookie: `console_sid=${token}` } }), 401, 'unauthenticated');
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the console session, and the old cookie no longer works', async () => {
    const client = new ApiClient(mod.app);
    await client.login('super_sue', PASSWORD);
    const old = client.cookies.get('console_sid')!;
    expect((await client.get('/api/queue/unanswered')).statusCode).toBe(200);
    const sessions = await scalar(mod.db.db, sql`select count(*) from sessions where user_id = ${supervisor.id}`);

    const response = await client.post('/api/auth/logout');
    expect(response.statusCode).toBe(204);
    expect((await client.get('/api/session')).json().user).toBeNull();
    expect(await scalar(mod.db.db, sql`select count(*) from sessions where user_id = ${supervisor.id}`)).toBe(sessions - 1);
    expectError(await rawRequest(mod.app, 'GET', '/api/queue/unanswered', { headers: { cookie: `console_sid=${old}` } }), 401, 'unauthenticated');
  });

  it('answers 204 when nobody is logged in', async () => {
    expect((await new ApiClient(mod.app).post('/api/auth/logout')).statusCode).toBe(204);
  });
});

describe('the rest of the HTTP surface', () => {
  it('answers 404 JSON for unknown routes, including forum routes', async () => {
    expectError(await mod.app.inject({ method: 'GET', url: '/api/threads' }), 404, 'route_not_found');
    expectError(await mod.app.inject({ method: 'GET', url: '/api/nope' }), 404, 'route_not_found');
  });

  it('answers 413 for a body over 64 KiB and 400 invalid_json for malformed JSON', async () => {
    const client = new ApiClient(mod.app);
    expectError(await client.post('/api/auth/login', { login: 'agent_alice', password: 'x'.repeat(65 * 1024) }), 413, 'body_too_large');
    expectError(await client.request('POST', '/api/auth/login', '{"login":'), 400, 'invalid_json');
  });

  it('publishes its OpenAPI document with the console routes', async () => {
    const doc = (await mod.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(doc.info.title).toBe('Moderation console API');
    const paths = Object.keys(doc.paths);
    // every route's access is checked in tests/console-roles/role-matrix.test.ts; here: the
    // console's own routes are documented, and none of the forum's member routes leaked in
    expect(paths).toEqual(expect.arrayContaining(['/api/queue', '/api/queue/{id}/claim', '/api/flags', '/api/audit', '/api/dashboard', '/api/threads/{id}/staff-replies']));
    for (const forumOnly of ['/api/auth/signup', '/api/threads', '/api/threads/{id}/posts', '/api/polls/{id}/ballots', '/api/notifications']) {
      expect(paths).not.toContain(forumOnly);
    }
  });
});

