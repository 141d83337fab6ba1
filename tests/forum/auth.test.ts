import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember, PASSWORD } from '../support/factories.js';
import { expectError, rawRequest, scalar, signedIn, tableCounts } from '../support/api.js';

let forum: TestForum;
beforeAll(async () => {
  forum = await startForum();
});
afterAll(async () => forum?.close());

const cookieNamed = (response: { cookies: unknown[] }, name: string) =>
  (response.cookies as Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string; maxAge?: number }>).find(
    (c) => c.name === name,
  );

describe('GET /api/session', () => {
  it('answers an anonymous visitor with no user and a CSRF token that matches the readable cookie', async () => {
    const response = await forum.app.inject({ method: 'GET', url: '/api/session' });
    expect(response.statusCode).toBe(200);
    const csrf = cookieNamed(response, 'csrf_token');
    expect(csrf?.value).toMatch(/^[\w-]{20,}$/);
    expect(csrf?.httpOnly).toBeFalsy();
    expect(response.json()).toEqual({ user: null, csrfToken: csrf!.value });
  });

  it('keeps the same CSRF token for as long as the browser sends the cookie back', async () => {
    const client = new ApiClient(forum.app);
    const first = (await client.get('/api/session')).json().csrfToken;
    const second = await client.get('/api/session');
    expect(second.json().csrfToken).toBe(first);
    expect(cookieNamed(second, 'csrf_token')).toBeUndefined();
  });

  it('clears a session cookie it does not know', async () => {
    const response = await forum.app.inject({ method: 'GET', url: '/api/session', cookies: { sid: 'made-up-token' } });
    expect(response.json().user).toBeNull();
    expect(cookieNamed(response, 'sid')?.value).toBe('');
  });
});

describe('POST /api/auth/signup', () => {
  it('creates a member, answers 201 and starts a session', async () => {
    const client = new ApiClient(forum.app);
    const response = await client.post('/api/auth/signup', { handle: 'new_member', email: 'new.member@example.test', password: 'a long enough password' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().user).toEqual({
      id: expect.any(Number),
      handle: 'new_member',
      displayName: 'new_member',
      email: 'new.member@example.test',
      role: 'member',
      staff: false,
      trustLevel: 0,
      reputation: 0,
      silenced: false,
    });
    const sid = cookieNamed(response, 'sid');
    expect(sid?.value).toBeTruthy();
    expect(sid?.httpOnly).toBe(true);
    expect(sid?.sameSite).toBe('Lax');
    expect(sid?.path).toBe('/');

    const session = await client.get('/api/session');
    expect(session.json().user).toMatchObject({ handle: 'new_member', email: 'new.member@example.test', role: 'member' });
  });

  it('stores an argon2id hash, never the password', async () => {
    const client = new ApiClient(forum.app);
    const password = 'plaintext must not be stored';
    expect((await client.post('/api/auth/signup', { handle: 'hash_check', email: 'hash.check@example.test', password })).statusCode).toBe(201);
    const { rows } = await forum.db.db.execute<{ password_hash: string }>(sql`select password_hash from users where handle = 'hash_check'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(rows[0].password_hash).not.toContain(password);
  });

  it('refuses a handle that is taken, whatever its case, with 409 handle_taken and no new account', async () => {
    await createMember(forum.db.db, { handle: 'Taken_Handle', email: 'first.taken@example.test' });
    const before = await tableCounts(forum.db.db);
    const client = new ApiClient(forum.app);
    for (const handle of ['Taken_Handle', 'taken_handle', 'TAKEN_HANDLE']) {
      const response = await client.post('/api/auth/signup', { handle, email: `${handle.toLowerCase()}2@example.test`, password: 'a long enough password' });
      expectError(response, 409, 'handle_taken');
      expect(cookieNamed(response, 'sid')).toBeUndefined();
    }
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('refuses an email that is taken, whatever its case, with 409 email_taken', async () => {
    await createMember(forum.db.db, { handle: 'email_owner', email: 'owner@example.test' });
    const client = new ApiClient(forum.app);
    for (const email of ['owner@example.test', 'Owner@Example.TEST']) {
      expectError(await client.post('/api/auth/signup', { handle: 'someone_else', email, password: 'a long enough password' }), 409, 'email_taken');
    }
    expect(await scalar(forum.db.db, sql`select count(*) from users where handle = 'someone_else'`)).toBe(0);
  });

  it('lets exactly one of two simultaneous sign-ups for the same handle win; the other gets 409', async () => {
    const attempt = (ip: string, email: string) =>
      new ApiClient(forum.app, ip).post('/api/auth/signup', { handle: 'Racing_Handle', email, password: 'a long enough password' });
    const responses = await Promise.all([attempt('10.8.0.1', 'racer1@example.test'), attempt('10.8.0.2', 'racer2@example.test')]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expectError(responses.find((r) => r.statusCode === 409)!, 409, 'handle_taken');
    expect(await scalar(forum.db.db, sql`select count(*) from users where lower(handle) = 'racing_handle'`)).toBe(1);
  });

  const valid = { handle: 'valid_handle', email: 'valid@example.test', password: 'a long enough password' };
  const badSignups: Array<[string, Record<string, unknown>, string]> = [
    ['a password under 10 characters', { ...valid, password: '123456789' }, 'password'],
    ['a handle under 3 characters', { ...valid, handle: 'ab' }, 'handle'],
    ['a handle over 30 characters', { ...valid, handle: 'a'.repeat(31) }, 'handle'],
    ['a handle with a space', { ...valid, handle: 'two words' }, 'handle'],
    ['a handle with punctuation', { ...valid, handle: 'bob!' }, 'handle'],
    ['a handle with markup', { ...valid, handle: '<b>bob</b>' }, 'handle'],
    ['an email without @', { ...valid, email: 'not-an-email' }, 'email'],
    ['an email with spaces', { ...valid, email: 'a b@example.test' }, 'email'],
    ['a missing handle', { email: valid.email, password: valid.password }, 'handle'],
    ['a missing email', { handle: valid.handle, password: valid.password }, 'email'],
    ['a missing password', { handle: valid.handle, email: valid.email }, 'password'],
    ['a handle that is an object', { ...valid, handle: { nick: 'bob' } }, 'handle'],
    ['an extra field', { ...valid, nickname: 'Bobby' }, 'nickname'],
    ['an attempt to choose a role', { ...valid, role: 'admin' }, 'role'],
  ];
  for (const [name, body, field] of badSignups) {
    it(`answers 400 naming "${field}" for ${name}, and creates nothing`, async () => {
      const before = await tableCounts(forum.db.db);
      const client = new ApiClient(forum.app);
      const response = await client.post('/api/auth/signup', body);
      const error = expectError(response, 400, 'invalid_request', [field]);
      expect(error.fields![field]).toBeTruthy();
      expect(cookieNamed(response, 'sid')).toBeUndefined();
      expect(await tableCounts(forum.db.db)).toEqual(before);
    });
  }
});

describe('POST /api/auth/login', () => {
  let member: Awaited<ReturnType<typeof createMember>>;
  beforeAll(async () => {
    member = await createMember(forum.db.db, { handle: 'Login_Member', email: 'login.member@example.test' });
  });

  for (const [how, login] of [
    ['handle', 'Login_Member'],
    ['handle in another case', 'login_member'],
    ['email', 'login.member@example.test'],
    ['email in another case', 'LOGIN.Member@Example.test'],
  ] as const) {
    it(`logs in by ${how}`, async () => {
      const client = new ApiClient(forum.app);
      const response = await client.post('/api/auth/login', { login, password: PASSWORD });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().user).toEqual({
        id: member.id,
        handle: 'Login_Member',
        displayName: 'Login_Member',
        email: 'login.member@example.test',
        role: 'member',
        staff: false,
        trustLevel: 0,
        reputation: 0,
        silenced: false,
      });
      expect(cookieNamed(response, 'sid')?.httpOnly).toBe(true);
      expect((await client.get('/api/session')).json().user.id).toBe(member.id);
    });
  }

  it('reports staff as staff', async () => {
    await createMember(forum.db.db, { handle: 'an_agent', role: 'agent' });
    const response = await new ApiClient(forum.app).post('/api/auth/login', { login: 'an_agent', password: PASSWORD });
    expect(response.json().user).toMatchObject({ role: 'agent', staff: true });
  });

  it('answers 401 invalid_credentials for a wrong password, and the same for an unknown account', async () => {
    const client = new ApiClient(forum.app);
    const wrong = await client.post('/api/auth/login', { login: 'Login_Member', password: 'not the password' });
    const unknown = await client.post('/api/auth/login', { login: 'nobody_here', password: PASSWORD });
    const wrongError = expectError(wrong, 401, 'invalid_credentials');
    const unknownError = expectError(unknown, 401, 'invalid_credentials');
    expect(unknownError.message).toBe(wrongError.message);
    expect(cookieNamed(wrong, 'sid')).toBeUndefined();
    expect((await client.get('/api/session')).json().user).toBeNull();
  });

  it('answers 400 for a missing or empty field', async () => {
    const client = new ApiClient(forum.app);
    expectError(await client.post('/api/auth/login', { login: 'Login_Member' }), 400, 'invalid_request', ['password']);
    expectError(await client.post('/api/auth/login', { login: '', password: PASSWORD }), 400, 'invalid_request', ['login']);
    expectError(await client.post('/api/auth/login', { login: 'Login_Member', password: PASSWORD, remember: true }), 400, 'invalid_request', ['remember']);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session: the session is gone and the old cookie no longer works', async () => {
    await createMember(forum.db.db, { handle: 'leaving_member' });
    const category = await createCategory(forum.db.db);
    const client = new ApiClient(forum.app);
    await client.login('leaving_member', PASSWORD);
    const oldSid = client.cookies.get('sid')!;
    const csrf = client.cookies.get('csrf_token')!;
    const userId = (await client.get('/api/session')).json().user.id;
    expect(await scalar(forum.db.db, sql`select count(*) from sessions where user_id = ${userId}`)).toBe(1);

    const response = await client.post('/api/auth/logout');
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(cookieNamed(response, 'sid')?.value).toBe('');
    expect((await client.get('/api/session')).json().user).toBeNull();
    expect(await scalar(forum.db.db, sql`select count(*) from sessions where user_id = ${userId}`)).toBe(0);

    // A copy of the old cookie, replayed, is anonymous.
    const replay = { cookie: `sid=${oldSid}; csrf_token=${csrf}`, 'x-csrf-token': csrf, 'content-type': 'application/json' };
    expect((await rawRequest(forum.app, 'GET', '/api/session', { headers: replay })).json().user).toBeNull();
    const post = await rawRequest(forum.app, 'POST', '/api/threads', {
      headers: replay,
      payload: JSON.stringify({ category: category.slug, kind: 'question', title: 'Still logged in?', body: 'Hello' }),
    });
    expectError(post, 401, 'unauthenticated');
  });

  it('answers 204 when nobody is logged in', async () => {
    const response = await new ApiClient(forum.app).post('/api/auth/logout');
    expect(response.statusCode).toBe(204);
  });

  it('ends only that session, not the same member on another device', async () => {
    const { actor } = await signedIn(forum);
    const laptop = new ApiClient(forum.app);
    const phone = new ApiClient(forum.app);
    await laptop.login(actor.handle, PASSWORD);
    await phone.login(actor.handle, PASSWORD);
    await laptop.post('/api/auth/logout');
    expect((await laptop.get('/api/session')).json().user).toBeNull();
    expect((await phone.get('/api/session')).json().user.id).toBe(actor.id);
  });
});

describe('session expiry', () => {
  it('forgets a session after 30 days', async () => {
    const start = forum.clock.current;
    try {
      const { client } = await signedIn(forum);
      forum.clock.advance(29 * 24 * 60);
      expect((await client.get('/api/session')).json().user).not.toBeNull();
      forum.clock.advance(2 * 24 * 60);
      expect((await client.get('/api/session')).json().user).toBeNull();
    } finally {
      forum.clock.current = start;
    }
  });
});

describe('CSRF protection', () => {
  const threadBody = (slug: string) => JSON.stringify({ category: slug, kind: 'question', title: 'A forged question', body: 'Forged' });

  it('refuses a POST without the header with 403 csrf_failed, and writes nothing', async () => {
    const { client } = await signedIn(forum);
    const category = await createCategory(forum.db.db);
    await client.get('/api/session');
    const before = await tableCounts(forum.db.db);
    const response = await rawRequest(forum.app, 'POST', '/api/threads', {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json' },
      payload: threadBody(category.slug),
    });
    expectError(response, 403, 'csrf_failed');
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('refuses a header that does not match the cookie', async () => {
    const { client } = await signedIn(forum);
    const category = await createCategory(forum.db.db);
    const before = await tableCounts(forum.db.db);
    const wrong = await client.request('POST', '/api/threads', JSON.parse(threadBody(category.slug)), { 'x-csrf-token': 'x'.repeat(32) });
    expectError(wrong, 403, 'csrf_failed');
    const empty = await client.request('POST', '/api/threads', JSON.parse(threadBody(category.slug)), { 'x-csrf-token': '' });
    expectError(empty, 403, 'csrf_failed');
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('refuses a state change from a browser that has no CSRF cookie yet, even with a header', async () => {
    const response = await rawRequest(forum.app, 'POST', '/api/auth/signup', {
      headers: { 'content-type': 'application/json', 'x-csrf-token': 'y'.repeat(32) },
      payload: JSON.stringify({ handle: 'forged_signup', email: 'forged@example.test', password: 'a long enough password' }),
    });
    expectError(response, 403, 'csrf_failed');
    expect(await scalar(forum.db.db, sql`select count(*) from users where handle = 'forged_signup'`)).toBe(0);
  });

  it('guards PATCH, PUT and DELETE too', async () => {
    const { actor, client } = await signedIn(forum);
    const other = await signedIn(forum);
    const category = await createCategory(forum.db.db);
    const created = (await client.post('/api/threads', { category: category.slug, kind: 'question', title: 'Guarded thread', body: 'Body' })).json();
    const headers = { 'x-csrf-token': 'z'.repeat(32) };
    expectError(await client.request('PATCH', `/api/threads/${created.thread.id}`, { title: 'Renamed by a forgery' }, headers), 403, 'csrf_failed');
    expectError(await client.request('DELETE', `/api/threads/${created.thread.id}`, undefined, headers), 403, 'csrf_failed');
    expectError(await other.client.request('PUT', `/api/posts/${created.post.id}/vote`, { value: 1 }, headers), 403, 'csrf_failed');
    const thread = (await client.get(`/api/threads/${created.thread.id}`)).json();
    expect(thread.thread.title).toBe('Guarded thread');
    expect(thread.posts[0].score).toBe(0);
    expect(thread.thread.author.id).toBe(actor.id);
  });

  it('lets GET requests through without a header', async () => {
    const response = await rawRequest(forum.app, 'GET', '/api/categories');
    expect(response.statusCode).toBe(200);
  });
});
