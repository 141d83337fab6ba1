import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queue, staffwork } from '@forum/core';
import { createCategory, createMember, createThread, ctxFor } from '../support/factories.js';
import type { TestDatabase } from '../support/db.js';
import { logInInBrowser, logInToConsole, startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// Issue 4, the agent's workflow in real browsers: an agent opens a queue item, inserts a canned
// response with the customer's name filled in, sends it; the asker's open thread page shows the
// staff reply live, marked as staff; the agent resolves the item and the asker rates the help.
let apps: BrowserConsole;
let db: TestDatabase;
let threadId: number;
let itemId: number;

beforeAll(async () => {
  apps = await startBrowserConsole({
    forum: true,
    setup: async (database) => {
      db = database;
      const category = await createCategory(db.db, { slug: 'accounts' });
      const asker = await createMember(db.db, { handle: 'asking_ada', trustLevel: 1 });
      await db.db.execute(sql`update users set display_name = 'Ada Lovelace' where id = ${asker.id}`);
      await createMember(db.db, { handle: 'agent_alba', role: 'agent' });
      const sue = await createMember(db.db, { handle: 'super_sue', role: 'supervisor' });
      threadId = (await createThread(db.db, asker, { category: category.slug, title: 'Two-factor codes never arrive' })).thread.id;
      await queue.requestStaff(ctxFor(db.db, asker), threadId);
      itemId = Number((await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${threadId}`)).rows[0].id);
      await staffwork.createCanned(ctxFor(db.db, sue), { title: 'Greeting', body: 'Hi {customer.name}, thanks for reaching out. We are looking at “{thread.title}” now.' });
    },
  });
});

afterAll(() => apps?.close());

describe('a staff reply from the console, live in the forum', () => {
  it('inserts a canned response with the customer’s name, posts it, the asker sees it live as staff, then rates the help', async () => {
    // The asker has their thread open.
    const asker = await apps.tab();
    await logInInBrowser(asker.page, apps.forumBase, 'asking_ada');
    await asker.page.goto(`${apps.forumBase}/t/${threadId}`);
    await asker.joined;
    expect(await asker.page.getByTestId('post').count()).toBe(1);

    // The agent opens the item from the queue and claims it.
    const agent = await apps.tab();
    await logInToConsole(agent.page, apps.consoleBase, 'agent_alba');
    await agent.page.locator(`[data-testid="queue-item"][data-item-id="${itemId}"]`).getByTestId('item-link').click();
    await agent.page.waitForURL(new RegExp(`/items/${itemId}$`));
    expect(await agent.page.getByTestId('item-title').textContent()).toBe('Two-factor codes never arrive');
    await agent.page.getByTestId('item-claim-button').click();
    await agent.page.getByTestId('item-claim').getByText('you').waitFor();

    // The canned response goes into the reply box with the variables filled.
    await agent.page.getByTestId('canned-picker').selectOption({ label: 'Greeting' });
    const box = agent.page.getByTestId('staff-reply-body');
    await expect.poll(() => box.inputValue()).toBe('Hi Ada Lovelace, thanks for reaching out. We are looking at “Two-factor codes never arrive” now.');
    await box.press('End');
    await box.pressSequentially(' Please check your spam folder.');
    await agent.page.getByTestId('staff-reply-send').click();
    await agent.page.getByText('Reply posted to the forum.').waitFor();

    // The asker's page shows it without a reload, marked as staff.
    const staffPost = asker.page.locator('[data-testid="post"].staff');
    await staffPost.waitFor();
    expect(await staffPost.textContent()).toContain('Hi Ada Lovelace, thanks for reaching out.');
    expect(await staffPost.textContent()).toContain('Please check your spam folder.');
    expect(await staffPost.textContent()).toMatch(/staff/i);

    // The agent resolves the item; the asker is asked how it went and rates it once.
    await agent.page.getByTestId('item-resolve-button').click();
    await agent.page.getByTestId('item-status').getByText('resolved').waitFor();
    await asker.page.reload();
    const prompt = asker.page.getByTestId('csat-prompt');
    await prompt.getByText('How did we do?').waitFor();
    await prompt.locator('label', { hasText: '5' }).click();
    await asker.page.getByTestId('csat-comment').fill('Fast and clear');
    await asker.page.getByTestId('csat-submit').click();
    await asker.page.getByTestId('csat-thanks').waitFor();
    const { rows } = await db.db.execute<{ score: number; comment: string }>(sql`select score, comment from csat_responses where item_id = ${itemId}`);
    expect(rows).toEqual([{ score: 5, comment: 'Fast and clear' }]);

    // The console's item page shows the rating.
    await agent.page.reload();
    expect(await agent.page.getByTestId('item-csat').textContent()).toContain('5 / 5');
  });
});
