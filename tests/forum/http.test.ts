import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createReply, createThread } from '../support/factories.js';
import { expectError, signedIn, tableCounts } from '../support/api.js';
import type { Actor } from '@forum/core';

// The HTTP surface every route shares: health, the OpenAPI document, 404s, body limits, JSON
// parsing, and how ids, limits and cursors from the URL are checked.

let forum: TestForum;
let member: { actor: Actor; client: ApiClient };
let threadId: number;
let replyId: number;
let openingPostId: number;
let categorySlug: string;

beforeAll(async () => {
  forum = await startForum();
  member = await signedIn(forum);
  const other = await signedIn(forum);
  categorySlug = (await createCategory(forum.db.db, { tags: ['http-tag'] })).slug;
  const created = await createThread(forum.db.db, member.actor, { category: categorySlug });
  threadId = created.thread.id;
  openingPostId = created.post.id;
  replyId = (await createReply(forum.db.db, other.actor, threadId)).id;
});
afterAll(async () => forum?.close());

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('GET /api/health', () => {
  it('reports the service and its database as ok', async () => {
    const response = await forum.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({ status: 'ok', database: { ok: true, latencyMs: expect.any(Number) } });
    expect(body.database.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe('GET /api/docs/json', () => {
  it('describes every route of the API', async () => {
    const response = await forum.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Community forum API');
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /api/health',
        'GET /api/session',
        'POST /api/auth/signup',
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'GET /api/categories',
        'GET /api/categories/{slug}',
        'GET /api/tags',
        'GET /api/threads',
        'POST /api/threads',
        'GET /api/threads/{id}',
        'GET /api/threads/{id}/csat',
        'PATCH /api/threads/{id}',
        'DELETE /api/threads/{id}',
        'POST /api/threads/{id}/close',
        'POST /api/threads/{id}/csat',
        'POST /api/threads/{id}/reopen',
        'POST /api/threads/{id}/accept',
        'DELETE /api/threads/{id}/accept',
        'POST /api/threads/{id}/posts',
        'POST /api/threads/{id}/poll',
        'GET /api/threads/{id}/poll',
        'PUT /api/polls/{id}/ballot',
        'DELETE /api/polls/{id}/ballot',
        'POST /api/polls/{id}/close',
        'POST /api/polls/{id}/reopen',
        'PATCH /api/posts/{id}',
        'GET /api/posts/{id}/revisions',
        'GET /api/private',
        'GET /api/private/{id}',
        'DELETE /api/posts/{id}',
        'PUT /api/posts/{id}/vote',
        'DELETE /api/posts/{id}/vote',
        'GET /api/search',
        'GET /api/kb',
        'GET /api/kb/suggest',
        'GET /api/kb/{id}',
        'PUT /api/kb/{id}',
        'DELETE /api/kb/{id}',
        'GET /api/threads/{id}/article',
        'GET /api/threads/{id}/article-draft',
        'POST /api/threads/{id}/article',
        'GET /api/users/{handle}',
        'GET /api/users/{handle}/reputation',
        'PUT /api/users/{handle}/trust-level',
        'POST /api/users/{handle}/silence',
        'DELETE /api/users/{handle}/silence',
        'POST /api/users/{handle}/suspend',
        'DELETE /api/users/{handle}/suspend',
        'POST /api/posts/{id}/flags',
        'GET /api/flags',
        'POST /api/flags/{id}/resolve',
        'POST /api/threads/{id}/request-staff',
        'GET /api/held-posts',
        'POST /api/posts/{id}/approve',
        'POST /api/posts/{id}/reject',
        'POST /api/private/{id}/messages',
        'GET /api/badges',
        'GET /api/badges/{slug}',
        'GET /api/users/{handle}/badges',
        'POST /api/users/{handle}/badges',
        'POST /api/users/{handle}/badges/{badgeId}/revoke',
        'GET /api/tags/{slug}/experts',
        'GET /api/notifications',
        'GET /api/notifications/unread-count',
        'POST /api/notifications/{id}/read',
        'POST /api/notifications/read-all',
        'GET /api/me/preferences',
        'PUT /api/me/preferences',
      ].sort(),
    );
  });

  it('documents request bodies and error responses', async () => {
    const doc = (await forum.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    const create = doc.paths['/api/threads'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['category', 'kind', 'title', 'body']));
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '429']));
  });
});

describe('unknown routes', () => {
  it('answers 404 JSON for an unknown path under /api', async () => {
    const response = await forum.app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    const error = expectError(response, 404, 'route_not_found');
    expect(error.message).toBe('No route GET /api/nothing-here');
  });

  it('answers 404 JSON for a known path with the wrong method', async () => {
    expectError(await member.client.put('/api/threads', {}), 404, 'route_not_found');
    expectError(await forum.app.inject({ method: 'GET', url: `/api/threads/${threadId}/posts` }), 404, 'route_not_found');
  });

  it('answers 404 JSON outside /api when the UI is not served', async () => {
    expectError(await forum.app.inject({ method: 'GET', url: '/no/such/page' }), 404, 'route_not_found');
  });
});

describe('request bodies', () => {
  it('answers 413 body_too_large for a body over 64 KiB, and writes nothing', async () => {
    const before = await tableCounts(forum.db.db);
    const response = await member.client.post(`/api/threads/${threadId}/posts`, { body: 'x'.repeat(65 * 1024) });
    expectError(response, 413, 'body_too_large');
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('accepts a body just under the limit up to the schema, which then names the field', async () => {
    const response = await member.client.post(`/api/threads/${threadId}/posts`, { body: 'x'.repeat(60 * 1024) });
    expectError(response, 400, 'invalid_request', ['body']);
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const response = await member.client.request('POST', `/api/threads/${threadId}/posts`, '{"body": "unterminated');
    expectError(response, 400, 'invalid_json', ['body']);
  });

  it('answers 400 invalid_json for an empty body sent as JSON', async () => {
    const response = await member.client.request('POST', `/api/threads/${threadId}/posts`, '');
    expect(expectError(response, 400, 'invalid_json', ['body']).fields).toEqual({ body: 'is empty' });
  });

  it('answers 400 when the JSON is not an object', async () => {
    for (const payload of ['[]', 'null', '"text"', '42']) {
      const response = await member.client.request('POST', `/api/threads/${threadId}/posts`, payload);
      expect(response.statusCode, payload).toBe(400);
    }
  });

  it('does not coerce JSON body types: a boolean vote or a numeric title is refused with the field', async () => {
    const before = await tableCounts(forum.db.db);
    expectError(await member.client.put(`/api/posts/${replyId}/vote`, { value: true }), 400, 'invalid_request', ['value']);
    expectError(
      await member.client.post('/api/threads', { category: categorySlug, kind: 'question', title: 12345678, body: 'text' }),
      400,
      'invalid_request',
      ['title'],
    );
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await member.client.request('POST', `/api/threads/${threadId}/posts`, 'body=hello', { 'content-type': 'application/x-www-form-urlencoded' });
    expectError(response, 415, 'unsupported_media_type');
  });
});

describe('ids in the URL', () => {
  const readRoutes = (id: string) => [`/api/threads/${id}`, `/api/posts/${id}/revisions`];

  for (const id of ['abc', '1.5', '-1', '0', '1e400', '-1e400', '%20', 'null']) {
    it(`answers 400 naming "id" for id "${id}"`, async () => {
      for (const url of readRoutes(id)) expectError(await forum.app.inject({ method: 'GET', url }), 400, 'invalid_request', ['id']);
      expectError(await member.client.post(`/api/threads/${id}/posts`, { body: 'hi' }), 400, 'invalid_request', ['id']);
      expectError(await member.client.put(`/api/posts/${id}/vote`, { value: 1 }), 400, 'invalid_request', ['id']);
      expectError(await member.client.delete(`/api/threads/${id}`), 400, 'invalid_request', ['id']);
    });
  }

  it('answers 400 for ids beyond the 32-bit range, never 500', async () => {
    for (const id of ['2147483648', '99999999999999999999', '9'.repeat(150)]) {
      for (const url of readRoutes(id)) expectError(await forum.app.inject({ method: 'GET', url }), 400, 'invalid_request', ['id']);
      expectError(await member.client.patch(`/api/posts/${id}`, { body: 'edit' }), 400, 'invalid_request', ['id']);
      expectError(await member.client.post(`/api/threads/${threadId}/accept`, { postId: Number(id) }), 400, 'invalid_request', ['postId']);
    }
  });

  it('answers 404 for the largest id when nothing has it', async () => {
    const max = '2147483647';
    expectError(await forum.app.inject({ method: 'GET', url: `/api/threads/${max}` }), 404, 'thread_not_found');
    expectError(await forum.app.inject({ method: 'GET', url: `/api/posts/${max}/revisions` }), 404, 'post_not_found');
    expectError(await member.client.post(`/api/threads/${max}/posts`, { body: 'hi' }), 404, 'thread_not_found');
    expectError(await member.client.put(`/api/posts/${max}/vote`, { value: 1 }), 404, 'post_not_found');
    expectError(await member.client.patch(`/api/posts/${max}`, { body: 'edit' }), 404, 'post_not_found');
    expectError(await member.client.delete(`/api/posts/${max}`), 404, 'post_not_found');
    expectError(await member.client.delete(`/api/threads/${max}`), 404, 'thread_not_found');
    expectError(await member.client.post(`/api/threads/${max}/close`), 404, 'thread_not_found');
    expectError(await member.client.post(`/api/threads/${max}/accept`, { postId: replyId }), 404, 'thread_not_found');
  });

  it('answers 400 or 404 for a path segment longer than the router allows, never 500', async () => {
    const response = await forum.app.inject({ method: 'GET', url: `/api/threads/${'1'.repeat(300)}` });
    expect([400, 404]).toContain(response.statusCode);
    expect(response.json().error.code).toBeTruthy();
  });
});

describe('limits and cursors', () => {
  it('answers 400 naming "limit" outside 1–50 or when not an integer', async () => {
    for (const limit of ['0', '51', '-3', 'ten', '2.5', '1e400', '-1e400']) {
      expectError(await forum.app.inject({ method: 'GET', url: `/api/threads?limit=${limit}` }), 400, 'invalid_request', ['limit']);
      expectError(await forum.app.inject({ method: 'GET', url: `/api/threads/${threadId}?limit=${limit}` }), 400, 'invalid_request', ['limit']);
      expectError(await forum.app.inject({ method: 'GET', url: `/api/search?q=thing&limit=${limit}` }), 400, 'invalid_request', ['limit']);
    }
  });

  it('answers 400 naming "cursor" for a cursor the API never returned', async () => {
    const bad = [
      'not-a-cursor',
      cursorOf({ any: 'thing' }),
      cursorOf(['not a date', 1]),
      cursorOf(['2024-01-01T00:00:00.000Z', 'one']),
      cursorOf(-1),
      cursorOf(1.5),
      'x'.repeat(201),
    ];
    for (const cursor of bad) {
      for (const url of [`/api/threads?cursor=${cursor}`, `/api/threads/${threadId}?cursor=${cursor}`, `/api/search?q=thing&cursor=${cursor}`]) {
        const response = await forum.app.inject({ method: 'GET', url });
        expectError(response, 400, cursor.length > 200 ? 'invalid_request' : 'invalid', ['cursor']);
      }
    }
  });

  it('answers 400, never 500, for a tampered cursor with out-of-range numbers', async () => {
    const tampered = [
      ['/api/threads', cursorOf(['2024-01-01T00:00:00.000Z', 99_999_999_999])],
      ['/api/threads', cursorOf(['2024-01-01T00:00:00.000Z', Number.MAX_SAFE_INTEGER])],
      ['/api/threads', cursorOf(['-271821-04-20T00:00:00.000Z', 1])],
      ['/api/threads', cursorOf(['+275760-09-13T00:00:00.000Z', 1])],
      ['/api/threads', cursorOf(['0000-01-01T00:00:00.000Z', 1])],
      [`/api/threads/${threadId}`, cursorOf(99_999_999_999)],
      [`/api/threads/${threadId}`, cursorOf(1e300)],
      ['/api/search?q=thing', cursorOf(5_000)],
    ];
    for (const [path, cursor] of tampered) {
      const url = `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`;
      const response = await forum.app.inject({ method: 'GET', url });
      expect(response.statusCode, `${path} ${Buffer.from(cursor, 'base64url')}`).toBe(400);
      expectError(response, 400, 'invalid', ['cursor']);
    }
  });

  it('answers 400 for a parameter given twice', async () => {
    expectError(await forum.app.inject({ method: 'GET', url: '/api/threads?list=latest&list=solved' }), 400, 'invalid_request', ['list']);
    expectError(await forum.app.inject({ method: 'GET', url: '/api/search?q=a&q=b' }), 400, 'invalid_request', ['q']);
  });

  it('answers 400 for a query parameter the route does not know', async () => {
    expectError(await forum.app.inject({ method: 'GET', url: '/api/threads?sort=oldest' }), 400, 'invalid_request', ['sort']);
  });
});

describe('text the database cannot store', () => {
  it('answers 400, never 500, for a NUL character in any text field, and writes nothing', async () => {
    const before = await tableCounts(forum.db.db);
    const nul = 'before\u0000after';
    const responses = [
      await member.client.post('/api/threads', { category: categorySlug, kind: 'question', title: `Title ${nul}`, body: 'Body' }),
      await member.client.post('/api/threads', { category: categorySlug, kind: 'question', title: 'A fine title', body: nul }),
      await member.client.post(`/api/threads/${threadId}/posts`, { body: nul }),
      await member.client.patch(`/api/posts/${openingPostId}`, { body: nul }),
      await member.client.patch(`/api/threads/${threadId}`, { title: `Title ${nul}` }),
      await new ApiClient(forum.app).post('/api/auth/login', { login: nul, password: 'whatever it is' }),
      await forum.app.inject({ method: 'GET', url: `/api/search?q=${encodeURIComponent(nul)}` }),
      await forum.app.inject({ method: 'GET', url: `/api/users/${encodeURIComponent('a\u0000b')}` }),
    ];
    for (const response of responses) expectError(response, 400, 'invalid_request');
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });
});
