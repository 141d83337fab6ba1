import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildModerationApp } from '../../apps/moderation/server/app.js';
import { repoRoot } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, PASSWORD, relaxedConfig } from '../support/factories.js';
import { launchBrowser } from '../support/browser.js';

// The console in a real browser: members are turned away with a reason, agents see the threads
// the community left unanswered past the window, and only those.
let db: TestDatabase;
let app: FastifyInstance;
let browser: Browser;
let base: string;
let overdueId: number;
let answeredId: number;
let freshId: number;

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'apps/moderation/build/handler.js'))) {
    throw new Error('The console UI is not built: run `npm run build` (npm test does it first).');
  }
  db = await createTestDatabase();
  const category = await createCategory(db.db, { slug: 'billing', windowMinutes: 60 });
  const asker = await createMember(db.db, { handle: 'waiting_wendy' });
  const peer = await createMember(db.db, { handle: 'peer_pete' });
  await createMember(db.db, { handle: 'agent_ada', role: 'agent' });
  await createMember(db.db, { handle: 'plain_member' });
  const twoHoursAgo = new Clock(new Date(Date.now() - 2 * 3_600_000));
  overdueId = (await createThread(db.db, asker, { category: category.slug, title: 'Refund still not on my card', clock: twoHoursAgo })).thread.id;
  answeredId = (await createThread(db.db, asker, { category: category.slug, title: 'Answered by a peer in time', clock: twoHoursAgo })).thread.id;
  await createReply(db.db, peer, answeredId, 'Refunds take 5 days.', twoHoursAgo);
  freshId = (await createThread(db.db, asker, { category: category.slug, title: 'Asked a minute ago' })).thread.id;

  app = await buildModerationApp({ database: db, config: relaxedConfig, ui: true });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  process.env.MODERATION_API_ORIGIN = base;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
});

describe('the moderation console', () => {
  it('refuses a member with a clear message and shows an agent only the overdue thread', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(base);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Handle or email').fill('plain_member');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    const refusal = page.getByTestId('login-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('agents, supervisors and admins');

    await page.getByLabel('Handle or email').fill('agent_ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    const item = page.locator(`[data-testid="queue-item"][data-thread-id="${overdueId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('Refund still not on my card');
    expect(await page.locator(`[data-testid="queue-item"][data-thread-id="${answeredId}"]`).count()).toBe(0);
    expect(await page.locator(`[data-testid="queue-item"][data-thread-id="${freshId}"]`).count()).toBe(0);
    await context.close();
  });
});
