import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { buildModerationApp } from '../../apps/moderation/server/app.js';
import { repoRoot } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { flags, moderation, type Actor } from '@forum/core';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, PASSWORD, relaxedConfig } from '../support/factories.js';
import { launchBrowser } from '../support/browser.js';

// Moderating from the console in a real browser: an agent pins a thread and moves it to another
// category from the Flags page, giving a reason each time (the thread is not in the queue, so the
// dialog first shows the API's "reason is required"), and the Audit log page, filtered by action,
// shows both entries with the reasons.
let db: TestDatabase;
let forum: FastifyInstance;
let console_: FastifyInstance;
let browser: Browser;
let forumBase: string;
let consoleBase: string;
let threadId: number;
let from: { id: number; slug: string };
let to: { id: number; slug: string };
let agent: Actor;

beforeAll(async () => {
  for (const app of ['forum', 'moderation']) {
    if (!existsSync(path.join(repoRoot, `apps/${app}/build/handler.js`))) throw new Error(`The ${app} UI is not built: run \`npm run build\`.`);
  }
  db = await createTestDatabase();
  from = await createCategory(db.db, { slug: 'general' });
  to = await createCategory(db.db, { slug: 'billing' });
  const clock = new Clock(new Date(Date.now() - 3_600_000));
  const asker = await createMember(db.db, { handle: 'asking_ada' });
  const other = await createMember(db.db, { handle: 'other_otto' });
  const flagger = await createMember(db.db, { handle: 'flagging_fay', trustLevel: 1 });
  agent = await createMember(db.db, { handle: 'agent_alba', role: 'agent' });
  threadId = (await createThread(db.db, asker, { category: from.slug, title: 'Where do I find my invoices?', clock })).thread.id;
  clock.advance(10);
  await createThread(db.db, other, { category: from.slug, title: 'A newer question in general', clock });
  clock.advance(10);
  const reply = await createReply(db.db, other, threadId, 'Try the billing page, top right.', clock);
  // an "off topic" flag (weight 1, below the threshold) puts the reply on the Flags page, not the thread in the queue
  await flags.flagPost(ctxFor(db.db, flagger), reply.id, { reason: 'off_topic', note: 'Belongs in billing' });

  forum = await buildForumApp({ database: db, config: relaxedConfig, ui: true, jobs: false });
  forumBase = await forum.listen({ port: 0, host: '127.0.0.1' });
  process.env.FORUM_API_ORIGIN = forumBase;
  console_ = await buildModerationApp({ database: db, config: relaxedConfig, ui: true });
  consoleBase = await console_.listen({ port: 0, host: '127.0.0.1' });
  process.env.MODERATION_API_ORIGIN = consoleBase;
  await Promise.all([forum.realtime.ready, console_.realtime.ready]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await console_?.close();
  await forum?.close();
  await db?.drop();
});

async function consoleLogIn(page: Page, handle: string) {
  await page.goto(`${consoleBase}/login`);
  await page.getByLabel('Handle or email').fill(handle);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}

const listed = async (slug: string) => ((await (await fetch(`${forumBase}/api/threads?category=${slug}`)).json()).threads as Array<{ id: number; pinned?: boolean }>);

describe('moderating from the console', () => {
  it('pins and moves a thread with a reason, and the audit log shows both, filtered by action', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    await consoleLogIn(page, 'agent_alba');
    await page.getByRole('link', { name: 'Flags' }).click();
    await page.waitForURL(/\/flags$/);
    const card = page.locator('[data-testid="flagged-post"]').filter({ hasText: 'Where do I find my invoices?' });
    await card.waitFor();

    // Pin: without a reason the API refuses (not in the queue) and the dialog says so.
    await card.getByTestId('moderate-toggle').click();
    await card.getByTestId('moderate-pin').click();
    const dialog = page.getByTestId('moderate-dialog').filter({ has: page.getByTestId('moderate-reason') });
    await dialog.getByTestId('moderate-submit').click();
    expect((await dialog.getByTestId('moderate-reason-error').textContent())?.trim()).toBe('Reason is required when the thread is not in the queue');
    await dialog.getByTestId('moderate-reason').fill('Asked every week: keep it on top');
    await dialog.getByTestId('moderate-submit').click();
    await card.getByTestId('moderate-status').filter({ hasText: 'Thread pinned.' }).waitFor();
    expect((await listed(from.slug))[0]).toMatchObject({ id: threadId, pinned: true });

    // Move: choose the category, give the reason.
    await card.getByTestId('moderate-toggle').click();
    await card.getByTestId('moderate-move').click();
    await dialog.getByTestId('moderate-category').selectOption(String(to.id));
    await dialog.getByTestId('moderate-reason').fill('It is a billing question');
    await dialog.getByTestId('moderate-submit').click();
    await card.getByTestId('moderate-status').filter({ hasText: 'Thread moved.' }).waitFor();
    expect((await listed(to.slug)).map((t) => t.id)).toContain(threadId);
    expect((await listed(from.slug)).map((t) => t.id)).not.toContain(threadId);

    // The audit log, filtered to thread actions, shows both with their reasons.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit$/);
    await page.getByTestId('audit-action').selectOption('thread.');
    await page.getByTestId('audit-apply').click();
    await page.waitForURL(/action=thread\./);
    const rows = page.getByTestId('audit-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-action')))).toEqual(['thread.moved', 'thread.pinned']);
    const moved = await rows.nth(0).textContent();
    expect(moved).toContain('@agent_alba');
    expect(moved).toContain('It is a billing question');
    expect(moved).toContain(`category: general → billing`);
    expect(await rows.nth(1).textContent()).toContain('Asked every week: keep it on top');

    // narrowing to one action leaves one row
    await page.getByTestId('audit-action').selectOption('thread.pinned');
    await page.getByTestId('audit-apply').click();
    await page.waitForURL(/action=thread\.pinned/);
    await expect.poll(() => rows.count()).toBe(1);

    const { rows: audit } = await db.db.execute<{ action: string }>(sql`select action from audit_log where subject_type = 'thread' and subject_id = ${threadId} order by id`);
    expect(audit.map((r) => r.action)).toEqual(['thread.pinned', 'thread.moved']);
  });

  it("shows the pin mark in the forum's category list, and sends readers of a merged thread to the one it was merged into", async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${forumBase}/c/${to.slug}`);
    const item = page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await item.getByTestId('thread-pinned').waitFor();

    const dupe = (await createThread(db.db, await createMember(db.db), { category: to.slug, title: 'Invoices: where are they?' })).thread.id;
    await moderation.mergeThread(ctxFor(db.db, agent), dupe, { intoThreadId: threadId, reason: 'Same question' });
    await page.goto(`${forumBase}/t/${dupe}`);
    await page.waitForURL(new RegExp(`/t/${threadId}(/|$)`));
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).toContain('Where do I find my invoices?');
  });
});
