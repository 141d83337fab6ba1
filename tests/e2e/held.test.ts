import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import type { TestDatabase } from '../support/db.js';
import { createCategory, createMember } from '../support/factories.js';
import { logInInBrowser, signUpInBrowser, startBrowserForum, type BrowserForum } from '../support/browser.js';

// A category that holds new members' first posts, in the browser: the newcomer sees theirs as
// awaiting approval, other members do not see it at all, and staff approve it from /held.
let running: BrowserForum;
let db: TestDatabase;
let browser: Browser;
let base: string;

beforeAll(async () => {
  running = await startBrowserForum({
    setup: async (db) => {
      await createCategory(db.db, { slug: 'vetted' });
      await db.db.execute(sql`update categories set hold_first_posts = true where slug = 'vetted'`);
    },
  });
  ({ db, browser, base } = running);
});

afterAll(async () => running?.close());

const logIn = (page: Page, handle: string) => logInInBrowser(page, base, handle);

describe('held first posts in the browser', () => {
  it('are shown to their author as awaiting approval, hidden from others, and published by staff', async () => {
    const newcomer = await (await browser.newContext()).newPage();
    await signUpInBrowser(newcomer, base, 'new_nadia');
    await newcomer.goto(`${base}/ask`);
    await newcomer.getByLabel('Category').selectOption('vetted');
    await newcomer.getByLabel('Title').fill('Is there a student discount?');
    await newcomer.getByLabel('Body').fill('I am a student and would like to use Orbit for group projects.');
    await newcomer.getByTestId('ask-submit').click();
    await newcomer.waitForURL(/\/t\/\d+/);
    await newcomer.getByTestId('held-marker').waitFor();
    const threadUrl = newcomer.url();

    await createMember(db.db, { handle: 'other_olga' });
    const other = await (await browser.newContext()).newPage();
    await logIn(other, 'other_olga');
    const hidden = await other.goto(threadUrl);
    expect(hidden?.status()).toBe(404);
    await other.goto(`${base}/c/vetted`);
    expect(await other.getByText('Is there a student discount?').count()).toBe(0);

    await createMember(db.db, { handle: 'staff_sven', role: 'agent' });
    const staff = await (await browser.newContext()).newPage();
    await logIn(staff, 'staff_sven');
    await staff.getByRole('link', { name: 'Held posts' }).click();
    await staff.getByTestId('held-post').filter({ hasText: 'student discount' }).getByRole('button', { name: 'Approve' }).click();
    await staff.getByText('Nothing is waiting for approval.').waitFor();

    const shown = await other.goto(threadUrl);
    expect(shown?.status()).toBe(200);
    await other.getByRole('heading', { name: 'Is there a student discount?' }).waitFor();
    expect(await other.getByTestId('held-marker').count()).toBe(0);
  });
});
