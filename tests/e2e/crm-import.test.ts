import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queue } from '@forum/core';
import { createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import type { TestDatabase } from '../support/db.js';
import { logInToConsole, startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// The console's CRM import page (an admin uploads an export with bad rows and reads which were
// rejected and why; agents are told it is for admins) and the forum half of the customer panel.
let apps: BrowserConsole;
let db: TestDatabase;
let itemId: number;
const SHOTS = process.env.SCREENSHOT_DIR;

const EXPORT = [
  '"Contact ID","First Name","Last Name","Email","Account Name","Account ID","Tier","Favourite Colour"',
  '"0031","Grace","Hopper","grace@navy.example","US Navy","0011","vip","blue"',
  '"0032","Alan","Turing","not-an-email","Bletchley Park","0012","enterprise","green"',
  '"0033","Ada","Lovelace","ada@engines.example","Analytical Engines","0013","platinum","red"',
  '"0034","Joan","Clarke","grace@navy.example","US Navy","0011","vip","teal"',
].join('\n');

beforeAll(async () => {
  apps = await startBrowserConsole({
    setup: async (database) => {
      db = database;
      await createMember(db.db, { handle: 'admin_ada', role: 'admin' });
      const agent = await createMember(db.db, { handle: 'agent_alba', role: 'agent' });
      const category = await createCategory(db.db, { slug: 'billing', tags: ['invoices'] });
      const asker = await createMember(db.db, { handle: 'hist_hal', trustLevel: 2 });
      const earlier = (await createThread(db.db, asker, { category: category.slug, title: 'Where do I download old invoices?' })).thread.id;
      const peer = await createMember(db.db);
      const answer = await createReply(db.db, peer, earlier, 'Under Billing, then History.');
      await db.db.execute(sql`update threads set accepted_post_id = ${answer.id} where id = ${earlier}`);
      await db.db.execute(sql`insert into user_badges (user_id, badge, tag_id, granted_at) values (${asker.id}, 'expert', (select id from tags where slug = 'invoices'), now())`);
      const { rows: items } = await db.db.execute<{ id: number }>(sql`insert into queue_items (thread_id, status, reasons, opened_at, due_at, resolved_at, resolved_by_id, resolution)
        values (${earlier}, 'resolved', array['requested'], now(), now(), now(), ${agent.id}, 'agent') returning id`);
      await db.db.execute(sql`insert into csat_responses (item_id, thread_id, user_id, score, comment) values (${items[0].id}, ${earlier}, ${asker.id}, 5, '<script>alert(1)</script> great help')`);
      // a link an agent made and later undid, and a suggestion they turned down
      const { rows: contact } = await db.db.execute<{ id: number }>(sql`insert into crm_contacts (first_name, last_name, email) values ('Hal', 'Other', 'hal@elsewhere.example') returning id`);
      await db.db.execute(sql`insert into crm_links (user_id, connector, contact_id, status, linked_by_id, linked_at, unlinked_by_id, unlinked_at, unlink_reason)
        values (${asker.id}, 'directory', ${String(contact[0].id)}, 'unlinked', ${agent.id}, now() - interval '2 days', ${agent.id}, now() - interval '1 day', 'wrong Hal: a shared family address')`);
      await db.db.execute(sql`insert into crm_link_decisions (user_id, connector, contact_id, decision, evidence, reason, decided_by_id, decided_at)
        values (${asker.id}, 'directory', ${String(contact[0].id)}, 'rejected', '[]'::jsonb, 'not the same person', ${agent.id}, now())`);
      const threadId = (await createThread(db.db, asker, { category: category.slug, title: 'My card was charged twice' })).thread.id;
      await queue.requestStaff(ctxFor(db.db, asker), threadId);
      itemId = Number((await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${threadId} and status <> 'resolved'`)).rows[0].id);
    },
  });
});

afterAll(() => apps?.close());

describe('the CRM import page', () => {
  it('lets an admin upload an export and shows the rejected rows with their reasons', async () => {
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'admin_ada');
    await page.getByRole('link', { name: 'CRM import' }).click();
    await page.waitForURL(/\/crm\/import$/);
    // the page is live once its Import button is enabled
    await page.locator('[data-testid="crm-import-submit"]:not([disabled])').waitFor();
    await page.getByTestId('crm-import-file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(EXPORT) });
    await page.getByTestId('crm-import-submit').click();
    const report = page.getByTestId('crm-import-report');
    await report.waitFor();
    expect(await report.textContent()).toContain('Salesforce layout');
    expect(await page.getByTestId('report-rows').textContent()).toBe('4');
    expect(await page.getByTestId('report-accepted').textContent()).toBe('1');
    expect(await page.getByTestId('report-rejected').textContent()).toBe('3');
    const rows = page.getByTestId('rejected-row');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toMatch(/3\s*not-an-email.*email/);
    expect(await rows.nth(1).textContent()).toContain('tier must be one of');
    expect(await rows.nth(2).textContent()).toContain('duplicate email: also on row 2');
    expect(await page.getByTestId('report-unknown').textContent()).toContain('Favourite Colour');
    expect(await page.getByTestId('report-mapped').textContent()).toContain('Email');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/crm-import.png`, fullPage: true });
    const { rows: contacts } = await db.db.execute<{ email: string }>(sql`select email from crm_contacts where email <> 'hal@elsewhere.example' order by id`);
    expect(contacts).toEqual([{ email: 'grace@navy.example' }]);
  });

  it('names the problem when the file is not a contacts export', async () => {
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'admin_ada');
    await page.goto(`${apps.consoleBase}/crm/import`);
    // the page is live once its Import button is enabled
    await page.locator('[data-testid="crm-import-submit"]:not([disabled])').waitFor();
    await page.getByTestId('crm-import-file').setInputFiles({ name: 'notes.csv', mimeType: 'text/csv', buffer: Buffer.from('colour,shape\nred,round\n') });
    await page.getByTestId('crm-import-submit').click();
    expect(await page.getByTestId('crm-import-file-error').textContent()).toContain('neither a Salesforce nor a HubSpot');
  });

  it('tells an agent it is for admins, and shows them no link to it', async () => {
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'agent_alba');
    expect(await page.getByRole('link', { name: 'CRM import' }).count()).toBe(0);
    await page.goto(`${apps.consoleBase}/crm/import`);
    await page.getByTestId('crm-import-admins-only').waitFor();
    expect(await page.getByTestId('crm-import-form').count()).toBe(0);
  });
});

describe('the forum half of the customer panel', () => {
  it("shows the asker's threads, badges and earlier agent help with its CSAT, as text", async () => {
    const { page } = await apps.tab();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await logInToConsole(page, apps.consoleBase, 'agent_alba');
    await page.goto(`${apps.consoleBase}/items/${itemId}`);
    const history = page.getByTestId('forum-history');
    await history.waitFor();
    expect(await page.getByTestId('fh-threads').textContent()).toBe('2');
    expect(await page.getByTestId('fh-accepted').textContent()).toBe('0');
    expect(await page.getByTestId('fh-recent').textContent()).toMatch(/My card was charged twice[\s\S]*Where do I download old invoices\?\s*solved/);
    expect(await page.getByTestId('fh-badges').textContent()).toContain('invoices');
    const help = page.getByTestId('fh-interactions');
    expect(await help.textContent()).toContain('@agent_alba');
    expect(await page.getByTestId('fh-csat').textContent()).toBe('CSAT 5/5');
    // the customer's comment is shown as text, never run
    expect(await help.textContent()).toContain('<script>alert(1)</script> great help');

    const links = page.getByTestId('crm-link-history');
    expect(await links.getByTestId('crm-past-link').isVisible()).toBe(false);
    await links.locator('summary').click();
    expect(await links.getByTestId('crm-past-link').textContent()).toMatch(/unlinked by @agent_alba.*wrong Hal: a shared family address/s);
    expect(await links.getByTestId('crm-rejection').textContent()).toMatch(/Rejected Hal Other \(@agent_alba\).*not the same person/s);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/item-panel.png`, fullPage: true });
  });
});
