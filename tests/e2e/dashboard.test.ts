import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { dashboard, type Actor } from '@forum/core';
import type { TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// The supervisor's dashboard and the QA page in a real browser, on a small dataset two days
// old: four threads, three answered by peers, one of those also answered by an agent, so two of
// four are self-served (50 %). The agent's sampled item is scored, and the agent reads the score.

let apps: BrowserConsole;
let db: TestDatabase;
let agent: Actor;
let supervisor: Actor;
const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
const dayLabel = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(twoDaysAgo);
const COMMENT = 'Spot on. Mention the export limit next time.';

beforeAll(async () => {
  apps = await startBrowserConsole({
    setup: async (database) => {
      db = database;
      const { slug } = await createCategory(db.db, { windowMinutes: 100_000 });
      const asker = await createMember(db.db, { handle: 'asking_anna', trustLevel: 1 });
      const peer = await createMember(db.db, { handle: 'helpful_hal', trustLevel: 1 });
      agent = await createMember(db.db, { handle: 'agent_amy', role: 'agent' });
      supervisor = await createMember(db.db, { handle: 'super_sal', role: 'supervisor' });
      const created = new Clock(twoDaysAgo);
      const replied = new Clock(new Date(twoDaysAgo.getTime() + 30 * 60_000));
      const ids: number[] = [];
      for (const title of ['Export a report to CSV', 'Change the invoice email', 'Sync stops on Android', 'Guest access to one project']) {
        ids.push((await createThread(db.db, asker, { category: slug, title, clock: created })).thread.id);
      }
      for (const id of ids.slice(0, 3)) await createReply(db.db, peer, id, 'This worked for me: check the settings page.', replied);
      // An agent also answered the third one: resolved as 'agent', so it is not self-served.
      const resolvedAt = new Date(twoDaysAgo.getTime() + 2 * 3_600_000);
      const { rows } = await db.db.execute<{ id: number }>(sql`
        insert into queue_items (thread_id, status, reasons, opened_at, due_at, first_agent_response_at, resolved_at, resolved_by_id, resolution)
        values (${ids[2]}, 'resolved', '{requested}', ${new Date(twoDaysAgo.getTime() + 3_600_000)}, ${new Date(twoDaysAgo.getTime() + 9 * 3_600_000)},
                ${resolvedAt}, ${resolvedAt}, ${agent.id}, 'agent')
        returning id`);
      const weekStart = dashboard.weekStartOf(resolvedAt).toISOString().slice(0, 10);
      const review = await db.db.execute<{ id: number }>(sql`
        insert into qa_reviews (item_id, agent_id, week_start, sampled_at) values (${rows[0].id}, ${agent.id}, ${weekStart}, now()) returning id`);
      await dashboard.scoreQaReview(ctxFor(db.db, supervisor), review.rows[0].id, { scores: { accuracy: 5, tone: 4, policy: 4, resolution: 5 }, comment: COMMENT });
    },
  });
});

afterAll(() => apps?.close());

async function consoleAs(actor: Actor, pathname: string): Promise<Page> {
  const page = await apps.consoleAs(actor);
  page.setDefaultTimeout(10_000);
  await page.goto(apps.consoleBase + pathname);
  return page;
}

describe('the dashboard in the console', () => {
  it('shows a supervisor the self-service rate and the incoming chart with its numbers', async () => {
    const page = await consoleAs(supervisor, '/dashboard');
    const tile = page.getByTestId('kpi-self-service');
    await tile.waitFor();
    expect(await tile.textContent()).toContain('50 %');
    expect(await tile.textContent()).toContain('2 of 4 threads');
    expect(await page.getByText('All times are UTC.').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Dashboard' }).count()).toBe(1);

    // the chart is an image with a title; its numbers are a click away as a table
    const chart = page.getByTestId('chart-incoming');
    expect(await chart.getByRole('img').getAttribute('aria-label')).toContain('Self-served: 2 in all');
    await page.getByTestId('chart-incoming-toggle').click();
    const row = page.getByTestId('chart-incoming-table').getByRole('row', { name: new RegExp(`^${dayLabel}(?!\\d)`) });
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents()).map((s) => s.trim())).toEqual(['2', '2']);

    await page.getByTestId('period-week').click();
    await page.waitForURL(/period=week/);
    await page.getByText(/per ISO week/).waitFor();
    expect(await page.getByTestId('kpi-self-service').textContent()).toContain('50 %');
  });

  it('shows an agent their scored QA review with the comment, and no dashboard link', async () => {
    const page = await consoleAs(agent, '/qa');
    await page.getByRole('heading', { name: 'My QA reviews' }).waitFor();
    expect(await page.getByTestId('qa-comment').textContent()).toBe(COMMENT);
    expect(await page.getByTestId('qa-total').textContent()).toBe('4.50');
    expect(await page.getByText('Sync stops on Android').count()).toBe(1);
    expect(await page.getByTestId('my-numbers').textContent()).toContain('4.50');
    expect(await page.getByRole('link', { name: 'Dashboard' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'QA' }).count()).toBe(1);
  });
});
