import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { accounts, type Actor, type CoreConfig } from '@forum/core';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { buildModerationApp } from '../../apps/moderation/server/app.js';
import { repoRoot } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { ctxFor, PASSWORD, relaxedConfig } from './factories.js';

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

function assertUiBuilt(app: 'forum' | 'moderation'): void {
  if (!existsSync(path.join(repoRoot, `apps/${app}/build/handler.js`))) {
    throw new Error(`The ${app} UI is not built: run \`npm run build\` (npm test does it first).`);
  }
}

export async function startBrowserForum(options: { config?: CoreConfig; setup?: (db: TestDatabase) => Promise<unknown> } = {}): Promise<BrowserForum> {
  assertUiBuilt('forum');
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

/** Logs a factory-made staff member (password PASSWORD) in through the console's login page. */
export async function logInToConsole(page: Page, base: string, handle: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Handle or email').fill(handle);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}

/** The console with its built UI on a listening port, optionally the forum's too, on one database, and a browser. */
export interface BrowserConsole {
  db: TestDatabase;
  browser: Browser;
  /** the console's origin, http://127.0.0.1:port */
  consoleBase: string;
  /** the forum's origin; empty when it was not started */
  forumBase: string;
  /** A tab in a fresh browser context (10 s timeouts); `joined` settles once its websocket has joined a room. */
  tab(context?: BrowserContextOptions): Promise<{ page: Page; joined: Promise<void> }>;
  /** A page in a fresh browser context, already signed in to the console as `actor` (no login page). */
  consoleAs(actor: Actor, context?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Seeds a new database with `setup`, then starts the console (and, with `forum`, the forum, its
 * jobs on unless `forum.jobs` is false) with their UIs, waits for their websockets, and launches
 * a browser.
 */
export async function startBrowserConsole(
  options: { config?: CoreConfig; setup?: (db: TestDatabase) => Promise<unknown>; forum?: boolean | { jobs: boolean } } = {},
): Promise<BrowserConsole> {
  if (options.forum) assertUiBuilt('forum');
  assertUiBuilt('moderation');
  const config = options.config ?? relaxedConfig;
  const db = await createTestDatabase();
  await options.setup?.(db);
  const forum = options.forum ? await buildForumApp({ database: db, config, ui: true, jobs: options.forum === true || options.forum.jobs }) : null;
  let forumBase = '';
  if (forum) {
    forumBase = await forum.listen({ port: 0, host: '127.0.0.1' });
    // the UIs' server-side loads call the APIs at these origins
    process.env.FORUM_API_ORIGIN = forumBase;
  }
  const moderation = await buildModerationApp({ database: db, config, ui: true });
  const consoleBase = await moderation.listen({ port: 0, host: '127.0.0.1' });
  process.env.MODERATION_API_ORIGIN = consoleBase;
  await Promise.all([moderation.realtime.ready, forum?.realtime.ready]);
  const browser = await launchBrowser();
  return {
    db,
    browser,
    consoleBase,
    forumBase,
    async tab(context) {
      const page = await (await browser.newContext(context)).newPage();
      page.setDefaultTimeout(10_000);
      const joined = new Promise<void>((resolve) => {
        page.on('websocket', (ws) => ws.on('framereceived', (frame) => String(frame.payload).includes('"subscribed"') && resolve()));
      });
      return { page, joined };
    },
    async consoleAs(actor, context) {
      const token = await accounts.createSession(ctxFor(db.db, null), actor.id, 'moderation');
      const browserContext = await browser.newContext(context);
      await browserContext.addCookies([{ name: 'console_sid', value: token, url: consoleBase }]);
      return browserContext.newPage();
    },
    async close() {
      await browser.close();
      await moderation.close();
      await forum?.close();
      await db.drop();
    },
  };
}
