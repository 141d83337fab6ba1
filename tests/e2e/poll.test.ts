import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestDatabase } from '../support/db.js';
import { createCategory } from '../support/factories.js';
import { signUpInBrowser, startBrowserForum, type BrowserForum } from '../support/browser.js';

// A poll in a real browser: attached on /ask, voted on by another member, tallied live.
let running: BrowserForum;
let db: TestDatabase;
let browser: Browser;
let base: string;

beforeAll(async () => {
  running = await startBrowserForum({ setup: (db) => createCategory(db.db, { slug: 'ideas' }) });
  ({ db, browser, base } = running);
});

afterAll(async () => running?.close());

const signUp = (page: Page, handle: string) => signUpInBrowser(page, base, handle);

describe('thread polls in the browser', () => {
  it('are created on /ask, voted on, and update live on an open page', async () => {
    const author = await (await browser.newContext()).newPage();
    const voter = await (await browser.newContext()).newPage();
    await signUp(author, 'poll_author');
    await signUp(voter, 'poll_voter');
    // Polls need trust level 1, which a brand-new account has not earned yet.
    await db.db.execute(sql`update users set trust_level = 1 where handle = 'poll_author'`);

    await author.goto(`${base}/ask`);
    await author.getByLabel('Category').selectOption('ideas');
    await author.getByLabel('Discussion').check();
    await author.getByLabel('Title').fill('Which export format do you use?');
    await author.getByLabel('Body').fill('Help us decide what to improve first.');
    await author.getByTestId('ask-add-poll').check();
    await author.getByTestId('ask-poll-question').fill('Your export format');
    await author.getByTestId('ask-poll-add-option').click();
    const options = author.getByTestId('ask-poll-option');
    await options.nth(0).fill('CSV');
    await options.nth(1).fill('Excel');
    await options.nth(2).fill('JSON');
    await author.getByTestId('ask-submit').click();
    await author.waitForURL(/\/t\/\d+/);
    await author.getByTestId('poll').waitFor();
    expect(await author.getByTestId('poll-option').allTextContents()).toEqual(['CSV', 'Excel', 'JSON'].map((l) => expect.stringContaining(l)));

    await voter.goto(author.url());
    await voter.getByTestId('poll-vote').waitFor();
    await voter.waitForFunction(() => !(document.querySelector('[data-testid=poll-vote]') as HTMLButtonElement).disabled);
    await voter.getByLabel('JSON').check();
    await voter.getByTestId('poll-vote').click();
    await voter.getByRole('button', { name: 'Change vote' }).waitFor();

    // The author's open page learns of the ballot from the websocket.
    await author.getByTestId('poll-results').getByText('1 · 100%').waitFor();
    expect(await author.getByTestId('poll').textContent()).toContain('poll_voter');
  });
});
