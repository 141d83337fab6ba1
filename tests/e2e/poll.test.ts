import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { repoRoot } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createCategory, relaxedConfig } from '../support/factories.js';
import { launchBrowser } from '../support/browser.js';

// A poll in a real browser: attached on /ask, voted on by another member, tallied live.
let db: TestDatabase;
let app: FastifyInstance;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'apps/forum/build/handler.js'))) {
    throw new Error('The forum UI is not built: run `npm run build` (npm test does it first).');
  }
  db = await createTestDatabase();
  await createCategory(db.db, { slug: 'ideas' });
  app = await buildForumApp({ database: db, config: relaxedConfig, ui: true });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  process.env.FORUM_API_ORIGIN = base;
  await app.realtime.ready;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
});

async function signUp(page: Page, handle: string) {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Email').fill(`${handle}@example.test`);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.getByRole('link', { name: handle }).first().waitFor();
}

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
