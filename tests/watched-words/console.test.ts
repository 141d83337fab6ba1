import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, type Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, relaxedConfig } from '../support/factories.js';
import { clientAs, expectError, scalar, tableCounts } from '../support/api.js';
import { watch } from './support.js';

// Watched words: supervisors manage them in the console, and what members write on the forum
// is blocked, held, flagged to the queue, censored or tagged by them.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let clock: Clock;
let member: Actor;
let memberForum: ApiClient;
let agentForum: ApiClient;
let agentConsole: ApiClient;
let supervisorConsole: ApiClient;
let adminConsole: ApiClient;
let memberConsole: ApiClient;
let category: string;

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  forum = await startForum({ database: mod.db, clock, jobs: false });
  const [m, agent, supervisor, admin] = await Promise.all([
    createMember(mod.db.db, { trustLevel: 2 }),
    createMember(mod.db.db, { role: 'agent' }),
    createMember(mod.db.db, { role: 'supervisor', handle: 'super_sue' }),
    createMember(mod.db.db, { role: 'admin' }),
  ]);
  member = m;
  [memberForum, agentForum, agentConsole, supervisorConsole, adminConsole, memberConsole] = await Promise.all([
    clientAs(forum, member),
    clientAs(forum, agent),
    clientAs(mod, agent, { app: 'moderation' }),
    clientAs(mod, supervisor, { app: 'moderation' }),
    clientAs(mod, admin, { app: 'moderation' }),
    clientAs(mod, member, { app: 'moderation' }),
  ]);
  category = (await createCategory(mod.db.db, { tags: ['billing', 'spam-watch'] })).slug;
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

const runJobs = () => runDueJobs({ db: mod.db.db, now: clock.now, config: relaxedConfig }, jobHandlers);

const ask = (client: ApiClient, body: string, title = 'A question about my account') =>
  client.post('/api/threads', { category, kind: 'question', title, body, tags: [] });

async function askOk(client: ApiClient, body: string, title?: string) {
  const response = await ask(client, body, title);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { thread: { id: number; title: string; tags: string[] }; post: { id: number; bodyMarkdown?: string; bodyHtml: string; held: boolean } };
}

const storedBody = (postId: number) =>
  mod.db.db.execute<{ body_markdown: string; body_text: string }>(sql`select body_markdown, body_text from posts where id = ${postId}`).then((r) => r.rows[0]);

async function withRules<T>(rules: Parameters<typeof watch>[1][], run: () => Promise<T>): Promise<T> {
  const ids = [];
  for (const rule of rules) ids.push(await watch(supervisorConsole, rule));
  try {
    return await run();
  } finally {
    for (const id of ids) expect((await supervisorConsole.delete(`/api/watched-words/${id}`)).statusCode).toBe(204);
  }
}

describe('managing watched words in the console', () => {
  it('lets supervisors and admins add, list and remove them, with audit rows', async () => {
    const created = await supervisorConsole.post('/api/watched-words', { phrase: '  Buy   FOLLOWERS ', action: 'block' });
    expect(created.statusCode, created.body).toBe(201);
    const word = created.json().watchedWord;
    expect(word).toMatchObject({ phrase: 'buy followers', action: 'block', replacement: null, tag: null, createdBy: { handle: 'super_sue' } });

    const tagged = await adminConsole.post('/api/watched-words', { phrase: 'invoice', action: 'tag', tag: 'billing' });
    expect(tagged.statusCode, tagged.body).toBe(201);
    expect(tagged.json().watchedWord.tag).toEqual({ slug: 'billing', name: 'billing' });

    const listed = (await supervisorConsole.get('/api/watched-words')).json().watchedWords as Array<{ id: number; phrase: string }>;
    expect(listed.map((w) => w.phrase)).toEqual(['buy followers', 'invoice']);

    for (const w of listed) expect((await adminConsole.delete(`/api/watched-words/${w.id}`)).statusCode).toBe(204);
    expect((await supervisorConsole.get('/api/watched-words')).json().watchedWords).toEqual([]);
    expectError(await supervisorConsole.delete(`/api/watched-words/${word.id}`), 404, 'watched_word_not_found');

    const actions = await mod.db.db.execute<{ action: string; subject_id: number }>(
      sql`select action, subject_id from audit_log where subject_type = 'watched_word' order by id`,
    );
    expect(actions.rows.map((r) => r.action)).toEqual(['watched_word.created', 'watched_word.created', 'watched_word.deleted', 'watched_word.deleted']);
    expect(actions.rows[0].subject_id).toBe(word.id);
  });

  it('refuses agents and members (403) and anonymous visitors (401)', async () => {
    const before = await scalar(mod.db.db, sql`select count(*) from watched_words`);
    for (const client of [agentConsole, memberConsole]) {
      expectError(await client.get('/api/watched-words'), 403, 'forbidden');
      expectError(await client.post('/api/watched-words', { phrase: 'nope', action: 'block' }), 403, 'forbidden');
      expectError(await client.delete('/api/watched-words/1'), 403, 'forbidden');
    }
    expectError(await new ApiClient(mod.app).get('/api/watched-words'), 401, 'unauthenticated');
    expect(await scalar(mod.db.db, sql`select count(*) from watched_words`)).toBe(before);
  });

  it('rejects bad rules with 400 naming the field, and duplicates with 409', async () => {
    const counts = await tableCounts(mod.db.db);
    const bad: Array<[Record<string, unknown>, string[]]> = [
      [{ phrase: '   ', action: 'block' }, ['phrase']],
      [{ phrase: 'x'.repeat(101), action: 'block' }, ['phrase']],
      [{ phrase: 'bell\u0007', action: 'block' }, ['phrase']],
      [{ phrase: 'ok', action: 'tag' }, ['tag']],
      [{ phrase: 'ok', action: 'tag', tag: 'no-such-tag' }, ['tag']],
      [{ phrase: 'ok', action: 'block', replacement: '***' }, ['replacement']],
      [{ phrase: 'ok', action: 'flag', tag: 'billing' }, ['tag']],
    ];
    for (const [body, fields] of bad) expectError(await supervisorConsole.post('/api/watched-words', body), 400, 'invalid', fields);
    expectError(await supervisorConsole.post('/api/watched-words', { phrase: 'ok', action: 'explode' }), 400, 'invalid_request', ['action']);
    expectError(await supervisorConsole.post('/api/watched-words', { action: 'block' }), 400, 'invalid_request');
    expect(await tableCounts(mod.db.db)).toEqual(counts);

    const id = await watch(supervisorConsole, { phrase: 'Refund Scam', action: 'flag' });
    expectError(await supervisorConsole.post('/api/watched-words', { phrase: 'refund   scam', action: 'flag' }), 409, 'duplicate_watched_word');
    // the same phrase may carry another action
    const other = await watch(supervisorConsole, { phrase: 'refund scam', action: 'hold' });
    for (const i of [id, other]) await supervisorConsole.delete(`/api/watched-words/${i}`);
  });
});

describe('what members write', () => {
  it('block: refuses the post naming the word, writes nothing; only whole words, any case', async () => {
    await withRules([{ phrase: 'buy followers', action: 'block' }], async () => {
      const counts = await tableCounts(mod.db.db);
      const error = expectError(await ask(memberForum, 'Where can I BUY  Followers cheaply?'), 400, 'invalid', ['body']);
      // named as written (the plain text joins whitespace runs)
      expect(error.fields!.body).toBe('contains a blocked word: “BUY Followers”');
      expectError(await ask(memberForum, 'A normal body', 'Should I buy followers here?'), 400, 'invalid', ['title']);
      const thread = await askOk(memberForum, 'A normal body');
      expectError(await memberForum.post(`/api/threads/${thread.thread.id}/posts`, { body: 'buy followers!' }), 400, 'invalid', ['body']);
      expectError(await memberForum.patch(`/api/posts/${thread.post.id}`, { body: 'edited: buy followers' }), 400, 'invalid', ['body']);
      // a thread was written by the allowed request only
      expect((await tableCounts(mod.db.db)).threads).toBe(counts.threads + 1);
      // not part of a word, and markup does not hide it
      await askOk(memberForum, 'I will not buy followersXYZ or rebuy followers.');
      expectError(await ask(memberForum, 'Just **buy followers** now'), 400, 'invalid', ['body']);
    });
  });

  it('hold: the post waits for approval like a new member’s first post', async () => {
    await withRules([{ phrase: 'crypto giveaway', action: 'hold' }], async () => {
      const { thread, post } = await askOk(memberForum, 'Join the crypto giveaway');
      expect(post.held).toBe(true);
      expectError(await new ApiClient(forum.app).get(`/api/threads/${thread.id}`), 404, 'thread_not_found');
      const open = await askOk(memberForum, 'A fine question');
      const reply = await memberForum.post(`/api/threads/${open.thread.id}/posts`, { body: 'crypto   GIVEAWAY here' });
      expect(reply.statusCode, reply.body).toBe(201);
      expect(reply.json().post.held).toBe(true);
      const held = (await agentForum.get('/api/held-posts')).json().posts as Array<{ id: number }>;
      expect(held.map((p) => p.id)).toEqual(expect.arrayContaining([post.id, reply.json().post.id]));
    });
  });

  it('flag: the thread enters the agents’ queue with the reason rule', async () => {
    await withRules([{ phrase: 'refund scam', action: 'flag' }], async () => {
      const { thread } = await askOk(memberForum, 'Is this a Refund Scam? I got an odd email.');
      await runJobs();
      const items = (await agentConsole.get('/api/queue?reason=rule')).json().items as Array<{ thread: { id: number }; reasons: string[] }>;
      expect(items.find((i) => i.thread.id === thread.id)?.reasons).toEqual(['rule']);
      // a clean thread does not
      const clean = await askOk(memberForum, 'Is this refund a scam?');
      await runJobs();
      const after = (await agentConsole.get('/api/queue?reason=rule')).json().items as Array<{ thread: { id: number } }>;
      expect(after.map((i) => i.thread.id)).not.toContain(clean.thread.id);
    });
  });

  it('censor: the stored Markdown has the word replaced before rendering', async () => {
    await withRules(
      [
        { phrase: 'darn', action: 'censor' },
        { phrase: 'heck', action: 'censor', replacement: 'h*ck' },
      ],
      async () => {
        const { thread, post } = await askOk(memberForum, 'Darn it, what the **heck**; darned printer.', 'Darn printer again');
        expect(thread.title).toBe('■■■ printer again');
        expect(await storedBody(post.id)).toEqual({ body_markdown: '■■■ it, what the **h*ck**; darned printer.', body_text: '■■■ it, what the h*ck; darned printer.' });
        expect(post.bodyHtml).toContain('<strong>h*ck</strong>');
      },
    );
  });

  it('tag: the thread gets the rule’s tag, also from a reply', async () => {
    await withRules([{ phrase: 'spam', action: 'tag', tag: 'spam-watch' }], async () => {
      const { thread } = await askOk(memberForum, 'I keep getting SPAM from your app.');
      expect(thread.tags).toEqual(['spam-watch']);
      const other = await askOk(memberForum, 'Nothing special here');
      expect(other.thread.tags).toEqual([]);
      expect((await memberForum.post(`/api/threads/${other.thread.id}/posts`, { body: 'more spam' })).statusCode).toBe(201);
      expect((await memberForum.get(`/api/threads/${other.thread.id}`)).json().thread.tags).toEqual(['spam-watch']);
    });
  });

  it('edits are screened too: censored, and a hold rule flags instead of withdrawing the public post', async () => {
    await withRules([{ phrase: 'darn', action: 'censor' }, { phrase: 'crypto giveaway', action: 'hold' }], async () => {
      const { thread, post } = await askOk(memberForum, 'A clean first version');
      const edited = await memberForum.patch(`/api/posts/${post.id}`, { body: 'Darn, a crypto giveaway' });
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.json().post.held).toBe(false);
      expect((await storedBody(post.id)).body_markdown).toBe('■■■, a crypto giveaway');
      expect((await new ApiClient(forum.app).get(`/api/threads/${thread.id}`)).statusCode).toBe(200);
      await runJobs();
      const items = (await agentConsole.get('/api/queue?reason=rule')).json().items as Array<{ thread: { id: number }; reasons: string[] }>;
      expect(items.find((i) => i.thread.id === thread.id)?.reasons).toEqual(['rule']);
    });
  });

  it('Unicode words match whole, in any case', async () => {
    await withRules([{ phrase: 'Straße', action: 'block' }, { phrase: 'café', action: 'block' }], async () => {
      expectError(await ask(memberForum, 'Welche STRASSE? Die straße!'), 400, 'invalid', ['body']);
      expectError(await ask(memberForum, 'Un CAFÉ, svp'), 400, 'invalid', ['body']);
      await askOk(memberForum, 'Die Hauptstraße und die cafés');
    });
  });

  it('staff are exempt, and a removed rule stops applying at once', async () => {
    const id = await watch(supervisorConsole, { phrase: 'buy followers', action: 'block' });
    const agentThread = await ask(agentForum, 'Please do not buy followers, it breaks the rules.');
    expect(agentThread.statusCode, agentThread.body).toBe(201);
    expectError(await ask(memberForum, 'buy followers'), 400, 'invalid', ['body']);
    await supervisorConsole.delete(`/api/watched-words/${id}`);
    await askOk(memberForum, 'buy followers');
  });
});
