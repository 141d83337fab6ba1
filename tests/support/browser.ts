import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CoreConfig } from '@forum/core';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { repoRoot } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { PASSWORD, relaxedConfig } from './factories.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's headless Chromium, as the test machines have it (.ci/run installs it). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** The forum with its built UI on a listening port and its own database, and a browser to drive it. */
export interface BrowserForum {
  db: TestDatabase;
  app: FastifyInstance;
  browser: Browser;
  /** http://127.0.0.1:port */
  base: string;
  close(): Promise<void>;
}

export async function startBrowserForum(options: { config?: CoreConfig; setup?: (db: TestDatabase) => Promise<unknown> } = {}): Promise<BrowserForum> {
  if (!existsSync(path.join(repoRoot, 'apps/forum/build/handler.js'))) {
    throw new Error('The forum UI is not built: run `npm run build` (npm test does it first).');
  }
  const db = await createTestDatabase();
  await options.setup?.(db);
  const app = await buildForumApp({ database: db, config: options.config ?? relaxedConfig, ui: true, jobs: true });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  // The UI's server-side loads call the API at this origin.
  process.env.FORUM_API_ORIGIN = base;
  await app.realtime.ready;
  const browser = await launchBrowser();
  return {
    db,
    app,
    browser,
    base,
    async close() {
      await browser.close();
      await app.close();
      await db.drop();
    },
  };
}

/** Signs a new member up through the sign-up page; they are logged in afterwards. */
export async function signUpInBrowser(page: Page, base: string, handle: string): Promise<void> {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Email').fill(`${handle}@example.test`);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.getByRole('link', { name: handle }).first().waitFor();
}

/** Logs a factory-made member (password PASSWORD) in through the forum's login page. */
export async function logInInBrowser(page: Page, base: string, handle: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Handle or email').fill(handle);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: /log in/i }).click();
  await page.getByTestId('current-user').waitFor();
}
