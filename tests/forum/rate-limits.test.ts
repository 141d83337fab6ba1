import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { defaultConfig, type CoreConfig } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember, PASSWORD } from '../support/factories.js';
import { expectError, scalar, signedIn, tableCounts } from '../support/api.js';

// Limits are counted in PostgreSQL on the app's clock, so moving the clock opens the next window.

const tight: CoreConfig = {
  ...defaultConfig,
  rateLimits: {
    signup: { limit: 2, windowSeconds: 3600 },
    login: { limit: 3, windowSeconds: 300 },
    post: { limit: 2, windowSeconds: 60 },
  },
};

let forum: TestForum;
beforeAll(async () => {
  forum = await startForum({ config: tight });
  await createCategory(forum.db.db, { slug: 'help' });
});
afterAll(async () => forum?.close());

const signup = (client: ApiClient, handle: string) =>
  client.post('/api/auth/signup', { handle, email: `${handle}@example.test`, password: 'a long enough password' });

function expectRateLimited(response: Awaited<ReturnType<ApiClient['get']>>, retryAfter: number) {
  expectError(response, 429, 'rate_limited');
  expect(response.headers['retry-after']).toBe(String(retryAfter));
}

describe('sign-up limit (2 an hour per address)', () => {
  it('answers 429 with Retry-After on the third sign-up, creates nothing, and lets other addresses through', async () => {
    const client = new ApiClient(forum.app, '10.3.0.1');
    expect((await signup(client, 'first_signup')).statusCode).toBe(201);
    expect((await signup(client, 'second_signup')).statusCode).toBe(201);
    const before = await tableCounts(forum.db.db);
    expectRateLimited(await signup(client, 'third_signup'), 3600);
    expect(await tableCounts(forum.db.db)).toEqual(before);

    expect((await signup(new ApiClient(forum.app, '10.3.0.2'), 'elsewhere_signup')).statusCode).toBe(201);
  });

  it('counts down Retry-After and opens again when the window has passed', async () => {
    const client = new ApiClient(forum.app, '10.3.1.1');
    await signup(client, 'window_one');
    await signup(client, 'window_two');
    forum.clock.advance(45);
    expectRateLimited(await signup(client, 'window_three'), 15 * 60);
    forum.clock.advance(15);
    expect((await signup(client, 'window_three')).statusCode).toBe(201);
  });

  it('does not count requests refused by validation', async () => {
    const client = new ApiClient(forum.app, '10.3.2.1');
    for (let i = 0; i < 5; i++) expectError(await client.post('/api/auth/signup', { handle: 'x', email: 'bad', password: 'short' }), 400, 'invalid_request');
    expect((await signup(client, 'after_bad_input')).statusCode).toBe(201);
  });
});

describe('login limit (3 per 5 minutes per address)', () => {
  it('answers 429 once the attempts are used up, even with the right password', async () => {
    const member = await createMember(forum.db.db);
    const client = new ApiClient(forum.app, '10.4.0.1');
    for (let i = 0; i < 3; i++) expectError(await client.post('/api/auth/login', { login: member.handle, password: 'wrong password' }), 401, 'invalid_credentials');
    const before = await scalar(forum.db.db, sql`select count(*) from sessions`);
    expectRateLimited(await client.post('/api/auth/login', { login: member.handle, password: PASSWORD }), 300);
    expect(await scalar(forum.db.db, sql`select count(*) from sessions`)).toBe(before);
    expect((await client.get('/api/session')).json().user).toBeNull();

    // Another address is not affected, and the first one can try again after the window.
    expect((await new ApiClient(forum.app, '10.4.0.2').post('/api/auth/login', { login: member.handle, password: PASSWORD })).statusCode).toBe(200);
    forum.clock.advance(5);
    expect((await client.post('/api/auth/login', { login: member.handle, password: PASSWORD })).statusCode).toBe(200);
  });

  it('does not count successful log-ins, so staff who log in often are never locked out', async () => {
    const member = await createMember(forum.db.db);
    const client = new ApiClient(forum.app, '10.4.0.3');
    for (let i = 0; i < 6; i++) {
      expect((await client.post('/api/auth/login', { login: member.handle, password: PASSWORD })).statusCode).toBe(200);
    }
    for (let i = 0; i < 3; i++) expectError(await client.post('/api/auth/login', { login: member.handle, password: 'wrong password' }), 401, 'invalid_credentials');
    expectRateLimited(await client.post('/api/auth/login', { login: member.handle, password: PASSWORD }), 300);
  });
});

describe('posting limit (2 a minute per member)', () => {
  it('counts threads and replies together and answers 429 after the limit, writing nothing', async () => {
    const { client } = await signedIn(forum);
    const created = await client.post('/api/threads', { category: 'help', kind: 'question', title: 'Rate limited question', body: 'First post' });
    expect(created.statusCode).toBe(201);
    const threadId = created.json().thread.id;
    expect((await client.post(`/api/threads/${threadId}/posts`, { body: 'Second post' })).statusCode).toBe(201);

    const before = await tableCounts(forum.db.db);
    expectRateLimited(await client.post(`/api/threads/${threadId}/posts`, { body: 'Third post' }), 60);
    expectRateLimited(await client.post('/api/threads', { category: 'help', kind: 'question', title: 'Another question', body: 'Body' }), 60);
    expect(await tableCounts(forum.db.db)).toEqual(before);
    expect((await client.get(`/api/threads/${threadId}`)).json().thread.replyCount).toBe(1);

    forum.clock.advance(1);
    expect((await client.post(`/api/threads/${threadId}/posts`, { body: 'Next minute' })).statusCode).toBe(201);
  });

  it('limits each member separately', async () => {
    const first = await signedIn(forum, { ip: '10.5.0.1' });
    const second = await signedIn(forum, { ip: '10.5.0.1' });
    const thread = (await first.client.post('/api/threads', { category: 'help', kind: 'discussion', title: 'Shared address', body: 'Hi' })).json().thread;
    await first.client.post(`/api/threads/${thread.id}/posts`, { body: 'Me again' });
    expectError(await first.client.post(`/api/threads/${thread.id}/posts`, { body: 'And again' }), 429, 'rate_limited');
    expect((await second.client.post(`/api/threads/${thread.id}/posts`, { body: 'Someone else' })).statusCode).toBe(201);
  });

  it('does not count posts refused for bad input', async () => {
    const { client } = await signedIn(forum);
    for (let i = 0; i < 4; i++) {
      expectError(await client.post('/api/threads', { category: 'help', kind: 'question', title: 'Bad tag question', body: 'Body', tags: ['nope'] }), 400, 'invalid');
    }
    expect((await client.post('/api/threads', { category: 'help', kind: 'question', title: 'Good question now', body: 'Body' })).statusCode).toBe(201);
  });
});
