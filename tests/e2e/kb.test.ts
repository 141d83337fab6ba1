import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forum } from '@forum/core';
import { createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { logInInBrowser, startBrowserForum, type BrowserForum } from '../support/browser.js';

// The knowledge base in a real browser: an agent publishes a solved thread's answer as an
// article from the thread page; a member starting a new question in their own words is offered
// that article before posting, reads it, and finds its way back to the thread.
let site: BrowserForum;
let threadId: number;

beforeAll(async () => {
  site = await startBrowserForum({
    setup: async (db) => {
      const { slug } = await createCategory(db.db, { slug: 'billing' });
      const asker = await createMember(db.db, { handle: 'maria_k' });
      const helper = await createMember(db.db, { handle: 'helpful_hal' });
      await createMember(db.db, { handle: 'agent_kim', role: 'agent' });
      await createMember(db.db, { handle: 'new_nico' });
      const { thread } = await createThread(db.db, asker, { category: slug, title: 'How do I export invoices as PDF?', body: 'Finance needs PDFs of last year.' });
      const reply = await createReply(db.db, helper, thread.id, 'Open **Billing → Invoices**, tick the invoices and choose *Download PDF*.');
      await forum.acceptAnswer(ctxFor(db.db, asker), thread.id, reply.id);
      threadId = thread.id;
    },
  });
});
afterAll(() => site?.close());

describe('the knowledge base', () => {
  it('goes from a solved thread to an article that a member is offered while asking', async () => {
    const agent = await (await site.browser.newContext()).newPage();
    agent.setDefaultTimeout(10_000);
    await logInInBrowser(agent, site.base, 'agent_kim');
    await agent.goto(`${site.base}/t/${threadId}`);
    await agent.getByTestId('kb-publish-start').click();
    const form = agent.getByTestId('kb-publish-form');
    expect(await form.locator('#kb-new-body').inputValue()).toContain('Download PDF');
    await form.locator('#kb-new-title').fill('Exporting invoices as PDF');
    await agent.getByTestId('kb-publish-submit').click();
    await agent.getByTestId('kb-banner').getByRole('link', { name: 'Exporting invoices as PDF' }).waitFor();

    const member = await (await site.browser.newContext()).newPage();
    member.setDefaultTimeout(10_000);
    await logInInBrowser(member, site.base, 'new_nico');
    await member.goto(`${site.base}/ask`);
    await member.locator('#ask-title').pressSequentially('Can I download my invoices as a PDF?');
    const suggestion = member.getByTestId('kb-suggestion').first();
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain('Exporting invoices as PDF');

    await member.goto(`${site.base}/kb`);
    await member.getByTestId('kb-article').getByRole('link', { name: 'Exporting invoices as PDF' }).click();
    await member.getByTestId('kb-article-page').waitFor();
    expect(await member.getByTestId('kb-article-page').textContent()).toContain('Billing → Invoices');
    await member.getByTestId('kb-source-thread').click();
    await member.waitForURL(new RegExp(`/t/${threadId}`));
    // members see the article's link, not the staff tools
    await member.getByTestId('kb-banner').waitFor();
    expect(await member.getByTestId('kb-publish-start').count()).toBe(0);

    // staff edit the article where it is read
    await agent.getByTestId('kb-banner').getByRole('link').click();
    await agent.waitForURL(/\/kb\/\d+$/);
    await agent.getByTestId('kb-edit').click();
    await agent.locator('#kb-title').fill('Export invoices as PDF');
    await agent.getByTestId('kb-edit-form').getByRole('button', { name: 'Save' }).click();
    await agent.getByRole('heading', { name: 'Export invoices as PDF' }).waitFor();
  });
});
