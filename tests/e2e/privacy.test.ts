import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { queue, type Actor } from '@forum/core';
import { createCategory, createMember, createThread, ctxFor } from '../support/factories.js';
import type { TestDatabase } from '../support/db.js';
import { startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// An admin follows the asker's handle from a queue item to the member's page, downloads their data
// and erases them; an agent sees the same page without those controls. The forum then shows the
// thread under "Former member".
let apps: BrowserConsole;
let db: TestDatabase;
let admin: Actor;
let agent: Actor;
let asker: Actor;
let threadId: number;
let itemId: number;

beforeAll(async () => {
  apps = await startBrowserConsole({
    forum: { jobs: false },
    setup: async (database) => {
      db = database;
      const category = await createCategory(db.db, { slug: 'billing' });
      asker = await createMember(db.db, { handle: 'grace_h', email: 'grace@rocketworks.example', trustLevel: 1 });
      await db.db.execute(sql`update users set display_name = 'Grace Hopper' where id = ${asker.id}`);
      admin = await createMember(db.db, { handle: 'admin_ada', role: 'admin' });
      agent = await createMember(db.db, { handle: 'agent_alba', role: 'agent' });
      threadId = (await createThread(db.db, asker, { category: category.slug, title: 'Invoices are missing since March', body: 'Since March no invoice arrives by email.' })).thread.id;
      await queue.requestStaff(ctxFor(db.db, asker), threadId);
      itemId = Number((await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${threadId}`)).rows[0].id);
    },
  });
});

afterAll(() => apps?.close());

describe("the member's page", () => {
  it('shows an agent the account facts without export or erase', async () => {
    const page = await apps.consoleAs(agent);
    await page.goto(`${apps.consoleBase}/members/grace_h`);
    expect(await page.getByTestId('member-name').textContent()).toBe('Grace Hopper');
    expect(await page.getByTestId('member-facts').textContent()).toContain('Threads');
    expect(await page.getByTestId('member-privacy').count()).toBe(0);
    expect(await page.getByTestId('member-export').count()).toBe(0);
  });

  it('lets an admin download the data and erase the member, after typing the handle', async () => {
    const page = await apps.consoleAs(admin, { acceptDownloads: true, viewport: { width: 1200, height: 1000 } });
    await page.goto(`${apps.consoleBase}/items/${itemId}`);
    await page.getByTestId('asker-link').click();
    await page.waitForURL(/\/members\/grace_h$/);
    await page.getByTestId('member-erase-form').waitFor();
    await page.screenshot({ path: 'test-results/privacy-member-page.png', fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('member-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^member-grace_h-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(exported.account).toMatchObject({ handle: 'grace_h', email: 'grace@rocketworks.example' });
    expect(exported.threads[0].title).toBe('Invoices are missing since March');

    // the button waits for the handle typed again and a reason
    const erase = page.getByTestId('member-erase');
    expect(await erase.isDisabled()).toBe(true);
    await page.getByTestId('member-erase-confirm').fill('grace_h');
    await page.getByTestId('member-erase-reason').fill('Erasure request REQ-881');
    expect(await erase.isDisabled()).toBe(false);
    await erase.click();

    await page.waitForURL(new RegExp(`/members/former-member-${asker.id}$`));
    await page.getByTestId('member-erased-at').waitFor();
    expect(await page.getByTestId('member-name').textContent()).toBe('Former member');
    expect(await page.getByTestId('member-erase-form').count()).toBe(0);
    await page.screenshot({ path: 'test-results/privacy-member-erased.png', fullPage: true });

    const thread = await (await fetch(`${apps.forumBase}/api/threads/${threadId}`)).json();
    expect(thread.thread.author.displayName).toBe('Former member');
    const { rows } = await db.db.execute<{ reason: string }>(sql`select reason from audit_log where action = 'privacy.member_erased' and subject_id = ${asker.id}`);
    expect(rows).toEqual([{ reason: 'Erasure request REQ-881' }]);
  });
});
