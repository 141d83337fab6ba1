import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { TestDatabase } from '../support/db.js';
import { flags, moderation, type Actor } from '@forum/core';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { logInToConsole, startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// Moderating from the console in a real browser: an agent pins a thread and moves it to another
// category from the Flags page, giving a reason each time (the thread is not in the queue, so the
// dialog first shows the API's "reason is required"), and the Audit log page, filtered by action,
// shows both entries with the reasons.
let apps: BrowserConsole;
let db: TestDatabase;
let threadId: number;
let from: { id: number; slug: string };
let to: { id: number; slug: string };
let agent: Actor;

beforeAll(async () => {
  apps = await startBrowserConsole({
    forum: { jobs: false },
    setup: async (database) => {
      db = database;
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
    },
  });
});

afterAll(() => apps?.close());

const listed = async (slug: string) => ((await (await fetch(`${apps.forumBase}/api/threads?category=${slug}`)).json()).threads as Array<{ id: number; pinned?: boolean }>);

describe('moderating from the console', () => {
  it('pins and moves a thread with a reason, and the audit log shows both, filtered by action', async () => {
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'agent_alba');
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
    const { page } = await apps.tab();
    await page.goto(`${apps.forumBase}/c/${to.slug}`);
    const item = page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await item.getByTestId('thread-pinned').waitFor();

    const dupe = (await createThread(db.db, await createMember(db.db), { category: to.slug, title: 'Invoices: where are they?' })).thread.id;
    await moderation.mergeThread(ctxFor(db.db, agent), dupe, { intoThreadId: threadId, reason: 'Same question' });
    await page.goto(`${apps.forumBase}/t/${dupe}`);
    await page.waitForURL(new RegExp(`/t/${threadId}(/|$)`));
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).toContain('Where do I find my invoices?');
  });
});
