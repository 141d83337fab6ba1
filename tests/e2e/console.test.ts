import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { accounts, jobHandlers, runDueJobs, type Actor } from '@forum/core';
import { buildModerationApp } from '../../apps/moderation/server/app.js';
import { repoRoot } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, PASSWORD, relaxedConfig } from '../support/factories.js';
import { startForum, type TestForum } from '../support/apps.js';
import { clientAs } from '../support/api.js';
import { launchBrowser } from '../support/browser.js';

// The console in a real browser: members are turned away with a reason; agents work the queue
// (threads the community left unanswered past the window, or whose asker asked for staff), and
// every open console page follows it live: new items, claims and resolutions.
let db: TestDatabase;
let app: FastifyInstance;
let forum: TestForum;
let browser: Browser;
let base: string;
let asker: Actor;
let ada: Actor;
let ben: Actor;
let overdueId: number;
let answeredId: number;
let freshId: number;

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'apps/moderation/build/handler.js'))) {
    throw new Error('The console UI is not built: run `npm run build` (npm test does it first).');
  }
  db = await createTestDatabase();
  const category = await createCategory(db.db, { slug: 'billing', windowMinutes: 60 });
  asker = await createMember(db.db, { handle: 'waiting_wendy' });
  const peer = await createMember(db.db, { handle: 'peer_pete' });
  ada = await createMember(db.db, { handle: 'agent_ada', role: 'agent' });
  ben = await createMember(db.db, { handle: 'agent_ben', role: 'agent' });
  await createMember(db.db, { handle: 'plain_member' });
  const twoHoursAgo = new Clock(new Date(Date.now() - 2 * 3_600_000));
  overdueId = (await createThread(db.db, asker, { category: category.slug, title: 'Refund still not on my card', clock: twoHoursAgo })).thread.id;
  // Any peer reply answers a discussion (a question would need an accepted or upvoted answer).
  answeredId = (await createThread(db.db, asker, { category: category.slug, kind: 'discussion', title: 'Answered by a peer in time', clock: twoHoursAgo })).thread.id;
  await createReply(db.db, peer, answeredId, 'Refunds take 5 days.', twoHoursAgo);
  freshId = (await createThread(db.db, asker, { category: category.slug, title: 'Charged twice this month' })).thread.id;
  // The window checks the thread events scheduled: the overdue thread enters the queue as unanswered.
  await runDueJobs({ db: db.db, now: () => new Date(), config: relaxedConfig }, jobHandlers);

  app = await buildModerationApp({ database: db, config: relaxedConfig, ui: true });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  process.env.MODERATION_API_ORIGIN = base;
  await app.realtime.ready;
  // The customers' forum on the same database, where the asker asks for staff.
  forum = await startForum({ database: db, jobs: false });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await forum?.close();
  await app?.close();
  await db?.drop();
});

/**
 * A console tab signed in as `agent` (the session made directly; logging in has its own test).
 * `stalled`: the tab's connection joins the room but delivers no events, like a lagging network.
 */
async function consoleAs(agent: Actor, options: { stalled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const token = await accounts.createSession(ctxFor(db.db, null), agent.id, 'moderation');
  const context = await browser.newContext();
  await context.addCookies([{ name: 'console_sid', value: token, url: base }]);
  const page = await context.newPage();
  if (options.stalled) {
    await page.routeWebSocket('**/ws', (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (!String(message).includes('"type":"event"')) ws.send(message);
      });
    });
  }
  // well inside the test's own time limit, so a missing update fails with what was awaited
  page.setDefaultTimeout(10_000);
  await page.goto(base);
  await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
  return { context, page };
}

const row = (page: Page, threadId: number) => page.locator(`[data-testid="queue-item"][data-thread-id="${threadId}"]`);

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
    const item = row(page, overdueId);
    await item.waitFor();
    const text = await item.textContent();
    expect(text).toContain('Refund still not on my card');
    expect(text).toContain('Category billing');
    expect(text).toContain('No peer answer within the community window');
    expect(await item.getByTestId('peer-track').textContent()).toContain('open');
    expect(await item.getByTestId('agent-track').textContent()).toContain('queued');
    expect(await item.getByTestId('queue-item-claimed').textContent()).toContain('Unclaimed');
    expect(await item.getByTestId('queue-item-sla').textContent()).toMatch(/left|breached by/);
    expect(await row(page, answeredId).count()).toBe(0);
    expect(await row(page, freshId).count()).toBe(0);
    expect(await page.getByTestId('queue-count').textContent()).toMatch(/^\s*1\s+open item\s*$/);
    await context.close();
  });

  it('shows a request for staff live, a claim on every agent’s page, and a resolved item leaving the list', async () => {
    const first = await consoleAs(ada);
    const second = await consoleAs(ben);
    const adaPage = first.page;
    const benPage = second.page;
    expect(await row(adaPage, freshId).count()).toBe(0);

    // The asker asks for staff on the forum; both open console pages show the item without reloading.
    const askerForum = await clientAs(forum, asker);
    const request = await askerForum.post(`/api/threads/${freshId}/request-staff`);
    expect(request.statusCode, request.body).toBe(201);
    for (const page of [adaPage, benPage]) {
      const item = row(page, freshId);
      await item.waitFor();
      expect(await item.textContent()).toContain('The asker asked for staff help');
      await page.getByTestId('queue-count').filter({ hasText: /^\s*2\s+open items\s*$/ }).waitFor();
    }

    // Ada claims it: her row offers Release and Resolve; Ben's page shows it held by Ada, with no Claim.
    await row(adaPage, freshId).getByRole('button', { name: /^Claim/ }).click();
    await adaPage.locator(`[data-testid="queue-item"][data-thread-id="${freshId}"][data-status="claimed"]`).waitFor();
    expect(await row(adaPage, freshId).getByTestId('queue-item-claimed').textContent()).toContain('You');
    expect(await row(adaPage, freshId).getByRole('button', { name: /^Release/ }).count()).toBe(1);

    const benRow = benPage.locator(`[data-testid="queue-item"][data-thread-id="${freshId}"][data-status="claimed"]`);
    await benRow.waitFor();
    expect(await benRow.getByTestId('queue-item-claimed').textContent()).toContain('@agent_ada');
    expect(await benRow.getByTestId('agent-track').textContent()).toContain('claimed');
    expect(await benRow.getByRole('button').count()).toBe(0);

    // Ada resolves it with a note: it leaves both open lists, and the note is on the record.
    await row(adaPage, freshId).getByRole('button', { name: /^Resolve/ }).click();
    const dialog = adaPage.getByTestId('resolve-dialog');
    await dialog.getByLabel(/Note/).fill('Refunded the duplicate charge');
    await dialog.getByTestId('resolve-confirm').click();
    for (const page of [adaPage, benPage]) {
      await row(page, freshId).waitFor({ state: 'detached' });
      await page.getByTestId('queue-count').filter({ hasText: /^\s*1\s+open item\s*$/ }).waitFor();
    }
    expect(await row(benPage, overdueId).count()).toBe(1);
    const { rows } = await db.db.execute<{ reason: string | null; actor_id: number }>(
      sql`select reason, actor_id from audit_log where action = 'queue.resolved' and (data->>'threadId')::int = ${freshId}`,
    );
    expect(rows).toEqual([{ reason: 'Refunded the duplicate charge', actor_id: ada.id }]);

    // The Resolved tab lists it with who resolved it.
    await benPage.getByTestId('tab-resolved').click();
    const resolved = row(benPage, freshId);
    await resolved.waitFor();
    expect(await resolved.getByTestId('queue-item-resolution').textContent()).toContain('@agent_ada');

    await first.context.close();
    await second.context.close();
  });

  it('shows the API’s refusal when another agent claimed the item first, then the item as it is', async () => {
    const askerForum = await clientAs(forum, asker);
    expect((await askerForum.post(`/api/threads/${answeredId}/request-staff`)).statusCode).toBe(201);
    const { context, page } = await consoleAs(ben, { stalled: true });
    await row(page, answeredId).getByRole('button', { name: /^Claim/ }).waitFor();

    // Ada claims it first; Ben's tab has not heard, and his click is refused with the holder's name.
    const adaConsole = await clientAs({ app, db, clock: new Clock() }, ada, { app: 'moderation' });
    const itemId = (await adaConsole.get('/api/queue?reason=requested')).json().items.find((i: { thread: { id: number } }) => i.thread.id === answeredId).id;
    expect((await adaConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    await row(page, answeredId).getByRole('button', { name: /^Claim/ }).click();
    const refusal = row(page, answeredId).getByTestId('queue-action-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('This item is claimed by @agent_ada');
    await page.locator(`[data-testid="queue-item"][data-thread-id="${answeredId}"][data-status="claimed"]`).waitFor();
    expect(await row(page, answeredId).getByTestId('queue-item-claimed').textContent()).toContain('@agent_ada');
    expect(await row(page, answeredId).getByRole('button').count()).toBe(0);
    await context.close();
  });
});
