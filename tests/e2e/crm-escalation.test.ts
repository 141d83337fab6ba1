import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crm, queue } from '@forum/core';
import { createCategory, createMember, createThread, ctxFor } from '../support/factories.js';
import type { TestDatabase } from '../support/db.js';
import { logInInBrowser, logInToConsole, startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// Escalation in a real browser, with the built-in directory as the CRM: an agent escalates a
// linked customer's item, the case is created in the background, the customer's thread says
// support took it over; support closes the case with a resolution naming the customer; the agent
// publishes the drafted answer, without the customer's details, and the thread is solved.
let apps: BrowserConsole;
let db: TestDatabase;
let threadId: number;
let itemId: number;

beforeAll(async () => {
  apps = await startBrowserConsole({
    forum: true,
    setup: async (database) => {
      db = database;
      const category = await createCategory(db.db, { slug: 'billing' });
      const asker = await createMember(db.db, { handle: 'grace_h', email: 'grace@rocketworks.example', trustLevel: 1 });
      await db.db.execute(sql`update users set display_name = 'Grace Hopper' where id = ${asker.id}`);
      const agent = await createMember(db.db, { handle: 'agent_ana', role: 'agent' });
      const contact = await db.db.execute<{ id: number }>(sql`insert into crm_contacts (first_name, last_name, email) values ('Grace', 'Hopper', 'grace@rocketworks.example') returning id`);
      await crm.linkMember(ctxFor(db.db, agent), 'grace_h', { contactId: String(contact.rows[0].id) });
      threadId = (await createThread(db.db, asker, { category: category.slug, title: 'Invoices are missing since March' })).thread.id;
      await queue.requestStaff(ctxFor(db.db, asker), threadId);
      itemId = Number((await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${threadId}`)).rows[0].id);
    },
  });
});

afterAll(() => apps?.close());

describe('escalating to a support case', () => {
  it('goes from the queue item to a case, and back to the thread as its solved answer', async () => {
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'agent_ana');
    await page.goto(`${apps.consoleBase}/items/${itemId}`);
    const panel = page.getByTestId('escalation-panel');
    await panel.getByTestId('escalate-button').click();
    await panel.locator('#escalation-note').fill('Invoices need regenerating by billing.');
    await panel.getByTestId('confirm-escalation').click();
    // created in the background by the job worker; the panel follows live
    await panel.getByTestId('escalation-status').getByText('Case open').waitFor();
    const { rows } = await db.db.execute<{ case_id: string }>(sql`select case_id from crm_escalations`);
    expect(rows[0].case_id).toMatch(/^\d+$/);

    // the customer sees that support took over, and nothing of the case
    const member = await apps.tab();
    await logInInBrowser(member.page, apps.forumBase, 'grace_h');
    await member.page.goto(`${apps.forumBase}/t/${threadId}`);
    expect(await member.page.getByTestId('support-banner').textContent()).toContain('Our support team took this over');
    expect(await member.page.content()).not.toContain('regenerating');

    // support closes the case in the directory, naming the customer
    await page.goto(`${apps.consoleBase}/cases`);
    const row = page.getByTestId('case-row').first();
    await row.getByTestId('update-case').click();
    await page.getByTestId('case-status').selectOption('closed');
    await page.getByTestId('case-resolution').fill('Regenerated the March invoices for Grace Hopper (grace@rocketworks.example); they are in the billing history again.');
    await page.getByTestId('save-case').click();
    await row.getByText('Answer the thread').waitFor();

    // the agent publishes the drafted answer, which has no personal data
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/items/${itemId}$`));
    const answer = page.getByTestId('case-answer');
    await answer.waitFor();
    const draft = await answer.inputValue();
    expect(draft).toContain('they are in the billing history again');
    expect(draft).not.toContain('Grace');
    expect(draft).not.toContain('rocketworks');
    await page.getByTestId('publish-case-answer').click();
    await panel.getByText('answered on the thread').waitFor();

    await member.page.goto(`${apps.forumBase}/t/${threadId}`);
    await member.page.getByTestId('solved-banner').waitFor();
    expect(await member.page.getByTestId('support-banner').textContent()).toContain('Our support team resolved this');
    expect(await member.page.content()).toContain('they are in the billing history again');
  });
});
