import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForum, type TestForum } from '../support/apps.js';
import { createCategory, createMember, createThread } from '../support/factories.js';
import { expectError } from '../support/api.js';
import { forum as forumService, type Actor } from '@forum/core';
import { ctxFor } from '../support/factories.js';

let forum: TestForum;
let author: Actor;

beforeAll(async () => {
  forum = await startForum();
  author = await createMember(forum.db.db);
  await createCategory(forum.db.db, { slug: 'billing', windowMinutes: 120, tags: ['invoices', 'refunds'] });
  await createCategory(forum.db.db, { slug: 'api', windowMinutes: 30, tags: ['webhooks'] });
  await createCategory(forum.db.db, { slug: 'empty-category' });
  await createThread(forum.db.db, author, { category: 'billing', tags: ['invoices'] });
  await createThread(forum.db.db, author, { category: 'billing', tags: ['invoices', 'refunds'] });
  const deleted = await createThread(forum.db.db, author, { category: 'billing', tags: ['invoices'] });
  await forumService.deleteThread(ctxFor(forum.db.db, author), deleted.thread.id);
  await createThread(forum.db.db, author, { category: 'api', tags: ['webhooks'] });
});
afterAll(async () => forum?.close());

const get = (url: string) => forum.app.inject({ method: 'GET', url });

describe('GET /api/categories', () => {
  it('lists every category with its window, its tags and its live thread count', async () => {
    const response = await get('/api/categories');
    expect(response.statusCode).toBe(200);
    const categories = response.json().categories;
    expect(categories.map((c: { slug: string }) => c.slug)).toEqual(['billing', 'api', 'empty-category']);
    expect(categories[0]).toEqual({
      id: expect.any(Number),
      slug: 'billing',
      name: 'Category billing',
      description: 'A test category',
      communityWindowMinutes: 120,
      threadCount: 2,
      tags: ['invoices', 'refunds'],
    });
    expect(categories[1]).toMatchObject({ slug: 'api', threadCount: 1, tags: ['webhooks'], communityWindowMinutes: 30 });
    expect(categories[2]).toMatchObject({ slug: 'empty-category', threadCount: 0, tags: [] });
  });
});

describe('GET /api/categories/:slug', () => {
  it('returns one category', async () => {
    const response = await get('/api/categories/api');
    expect(response.statusCode).toBe(200);
    expect(response.json().category).toMatchObject({ slug: 'api', threadCount: 1, tags: ['webhooks'] });
  });

  it('answers 404 category_not_found for an unknown slug', async () => {
    expectError(await get('/api/categories/no-such-category'), 404, 'category_not_found');
  });

  it('answers 400 naming "slug" for a slug that cannot exist', async () => {
    for (const slug of ['Billing', 'has_underscore', '-leading-dash', 'a'.repeat(61), '%C3%A9t%C3%A9']) {
      expectError(await get(`/api/categories/${slug}`), 400, 'invalid_request', ['slug']);
    }
  });
});

describe('GET /api/tags', () => {
  it('lists every tag with the number of live threads carrying it', async () => {
    const response = await get('/api/tags');
    expect(response.statusCode).toBe(200);
    expect(response.json().tags).toEqual([
      { slug: 'invoices', name: 'invoices', threadCount: 2 },
      { slug: 'refunds', name: 'refunds', threadCount: 1 },
      { slug: 'webhooks', name: 'webhooks', threadCount: 1 },
    ]);
  });
});
