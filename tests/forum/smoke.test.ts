import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';

let forum: TestForum;
beforeAll(async () => {
  forum = await startForum();
});
afterAll(async () => forum?.close());

describe('a member asks and another answers', () => {
  it('signs up, asks, gets an answer, accepts it', async () => {
    const category = await createCategory(forum.db.db, { tags: ['api'] });
    const asker = new ApiClient(forum.app);
    const signup = await asker.post('/api/auth/signup', { handle: 'asker', email: 'asker@example.test', password: 'long enough password' });
    expect(signup.statusCode).toBe(201);
    const created = await asker.post('/api/threads', { category: category.slug, kind: 'question', title: 'How do I rotate my API key?', body: 'Is there a button?', tags: ['api'] });
    expect(created.statusCode).toBe(201);
    const threadId = created.json().thread.id;

    const helper = new ApiClient(forum.app, '10.0.0.2');
    await helper.post('/api/auth/signup', { handle: 'helper', email: 'helper@example.test', password: 'long enough password' });
    const reply = await helper.post(`/api/threads/${threadId}/posts`, { body: 'Settings → API → **Rotate**.' });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().post.bodyHtml).toContain('<strong>Rotate</strong>');

    const accept = await asker.post(`/api/threads/${threadId}/accept`, { postId: reply.json().post.id });
    expect(accept.statusCode).toBe(200);
    expect(accept.json().thread.status).toBe('solved');
  });
});
