import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queue } from '@forum/core';
import { createCategory, createMember, createThread, ctxFor } from '../support/factories.js';
import type { TestDatabase } from '../support/db.js';
import { logInInBrowser, logInToConsole, startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// Issue 5 in a real browser: an agent opens a member's queue item, sees the CRM contact whose
// email is the member's suggested ("email matches"), confirms it and sees the CRM profile with its
// tier; the queue then marks the asker VIP. The member's own thread page shows nothing of the CRM.
let apps: BrowserConsole;
let db: TestDatabase;
let threadId: number;
let itemId: number;
let contactId: string;

beforeAll(async () => {
  apps = await startBrowserConsole({
    forum: true,
    setup: async (database) => {
      db = database;
      const category = await createCategory(db.db, { slug: 'billing' });
      const asker = await createMember(db.db, { handle: 'grace_h', email: 'grace@rocketworks.example', trustLevel: 1 });
      await db.db.execute(sql`update users set display_name = 'Grace Hopper' where id = ${asker.id}`);
      await createMember(db.db, { handle: 'agent_alba', role: 'agent' });
      const account = await db.db.execute<{ id: number }>(
        sql`insert into crm_accounts (name, name_key, domain, tier, annual_value) values ('Rocketworks Ltd', 'rocketworks ltd', 'rocketworks.example', 'vip', 480000) returning id`,
      );
      const contact = await db.db.execute<{ id: number }>(
        sql`insert into crm_contacts (account_id, first_name, last_name, email, title) values (${account.rows[0].id}, 'Grace', 'Hopper', 'grace@rocketworks.example', 'Head of Platform') returning id`,
      );
      contactId = String(contact.rows[0].id);
      await db.db.execute(
        sql`insert into crm_cases (contact_id, subject, description, status, idempotency_key) values (${contact.rows[0].id}, 'Invoice shows the wrong VAT number', 'x', 'open', 'seed-1')`,
      );
      threadId = (await createThread(db.db, asker, { category: category.slug, title: 'Invoices are missing since March' })).thread.id;
      await queue.requestStaff(ctxFor(db.db, asker), threadId);
      itemId = Number((await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${threadId}`)).rows[0].id);
    },
  });
});

afterAll(() => apps?.close());

describe('the customer panel', () => {
  it('suggests the contact with the member’s email, and once confirmed shows the CRM profile with its tier', async () => {
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'agent_alba');
    const row = page.locator(`[data-testid="queue-item"][data-item-id="${itemId}"]`);
    expect(await row.getByTestId('tier-badge').count()).toBe(0);
    await row.getByTestId('item-link').click();
    await page.waitForURL(new RegExp(`/items/${itemId}$`));

    const panel = page.getByTestId('customer-panel');
    const suggestion = panel.locator(`[data-testid="crm-suggestion"][data-contact-id="${contactId}"]`);
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain('Grace Hopper');
    expect(await suggestion.getByTestId('crm-evidence').allTextContents()).toContain('email matches');
    expect(await suggestion.getByTestId('crm-confidence').textContent()).toMatch(/^\d{1,3} %$/);

    // a second agent has the same item open with the same suggestion
    const other = await apps.tab();
    await logInToConsole(other.page, apps.consoleBase, 'agent_alba');
    await other.page.goto(`${apps.consoleBase}/items/${itemId}`);
    await other.page.getByTestId('crm-confirm').waitFor();

    await suggestion.getByTestId('crm-confirm').click();
    const profile = panel.getByTestId('crm-profile');
    await profile.waitFor();
    expect(await profile.getByTestId('crm-contact-name').textContent()).toBe('Grace Hopper');
    expect(await profile.getByTestId('tier-badge').textContent()).toBe('VIP');
    expect(await profile.getByTestId('crm-account').textContent()).toBe('Rocketworks Ltd');
    expect(await profile.getByTestId('crm-cases').textContent()).toContain('Invoice shows the wrong VAT number');
    expect(await profile.textContent()).toContain('Head of Platform');

    const { rows } = await db.db.execute<{ contact_id: string; status: string }>(sql`select contact_id, status from crm_links`);
    expect(rows).toEqual([{ contact_id: contactId, status: 'active' }]);

    // the second agent's stale confirm is refused inline, and their panel shows the link made
    await other.page.getByTestId('crm-confirm').click();
    expect(await other.page.getByTestId('crm-error').textContent()).toContain('already linked');
    await other.page.getByTestId('crm-profile').waitFor();

    // the queue now marks the asker VIP
    await page.goto(apps.consoleBase);
    await row.getByTestId('tier-badge').getByText('VIP').waitFor();
  });

  it('shows the member, and anyone, no CRM data on the forum', async () => {
    const member = await apps.tab();
    await logInInBrowser(member.page, apps.forumBase, 'grace_h');
    const anonymous = await apps.tab();
    for (const page of [member.page, anonymous.page]) {
      await page.goto(`${apps.forumBase}/t/${threadId}`);
      await page.getByTestId('post').first().waitFor();
      const html = await page.content();
      for (const secret of ['Rocketworks Ltd', 'Head of Platform', 'VAT number', '480000', '480,000', 'VIP', 'crm']) expect(html).not.toContain(secret);
    }
  });
});
