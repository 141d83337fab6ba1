import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createCategory } from '../support/factories.js';
import { signUpInBrowser, startBrowserForum, type BrowserForum } from '../support/browser.js';

// The whole customer journey in a real browser against the real server: sign up, ask, get a
// live answer from another member, accept it, and find the thread through search.
let running: BrowserForum;
let browser: Browser;
let base: string;

beforeAll(async () => {
  running = await startBrowserForum({ setup: (db) => createCategory(db.db, { slug: 'help', tags: ['billing'] }) });
  ({ browser, base } = running);
});

afterAll(async () => running?.close());

const signUp = (page: Page, handle: string) => signUpInBrowser(page, base, handle);

describe('asking, answering live, accepting, searching', () => {
  it('works end to end in Chromium', async () => {
    const askerContext = await browser.newContext();
    const answererContext = await browser.newContext();
    const asker = await askerContext.newPage();
    const answerer = await answererContext.newPage();

    await signUp(asker, 'curious_cat');
    await asker.goto(`${base}/ask`);
    await asker.getByLabel('Category').selectOption('help');
    await asker.getByLabel('Title').fill('Why was my card declined on renewal?');
    await asker.getByLabel('Body').fill('The renewal failed with *card declined* although the card works elsewhere.');
    await asker.getByRole('button', { name: /post|ask/i }).click();
    await asker.waitForURL(/\/t\/\d+/);
    expect((await asker.getByTestId('thread-title').textContent())?.trim()).toBe('Why was my card declined on renewal?');
    const threadUrl = asker.url();

    await signUp(answerer, 'helpful_hen');
    await answerer.goto(threadUrl);
    await answerer.getByTestId('reply-body').fill('Your bank may block **recurring** charges; ask them to allow it.');
    await answerer.getByTestId('reply-submit').click();
    await answerer.getByText('ask them to allow it').waitFor();

    // The asker never reloads: the answer arrives over the websocket.
    const answer = asker.getByTestId('post').filter({ hasText: 'ask them to allow it' });
    await answer.waitFor({ timeout: 10_000 });
    expect(await answer.locator('strong').textContent()).toBe('recurring');

    await answer.getByTestId('accept-answer').click();
    await answer.getByTestId('accepted-marker').waitFor();
    await asker.getByTestId('thread-status').filter({ hasText: /solved/i }).waitFor();
    // The answerer's open page learns about it too.
    await answerer.getByTestId('accepted-marker').waitFor({ timeout: 10_000 });

    await asker.goto(`${base}/search?q=${encodeURIComponent('card declined')}`);
    const result = asker.getByTestId('search-result').first();
    await result.waitFor();
    expect(await result.textContent()).toContain('Why was my card declined on renewal?');
    expect(await result.locator('mark').count()).toBeGreaterThan(0);

    await askerContext.close();
    await answererContext.close();
  });
});
