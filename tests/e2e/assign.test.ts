import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { jobHandlers, queue, runDueJobs, teams, type Actor } from '@forum/core';
import type { TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// Assignment in a real browser: a supervisor hands an item to an agent from the Queue page's
// Assign menu, and the agent's open "Mine" view shows it as theirs without a reload. The team
// page shows the agent's load and lets them go off duty.
let apps: BrowserConsole;
let db: TestDatabase;
let sue: Actor;
let ana: Actor;
let bo: Actor;
let itemId: number;

const SHOTS = process.env.SCREENSHOTS_DIR;

beforeAll(async () => {
  apps = await startBrowserConsole({
    setup: async (database) => {
      db = database;
      sue = await createMember(db.db, { handle: 'super_sue', role: 'supervisor' });
      ana = await createMember(db.db, { handle: 'agent_ana', role: 'agent' });
      bo = await createMember(db.db, { handle: 'agent_bo', role: 'agent' });
      const asSue = ctxFor(db.db, sue);
      const category = await createCategory(db.db, { slug: 'billing', windowMinutes: 60, tags: ['invoices'] });
      const team = await teams.createTeam(asSue, {
        name: 'Billing Europe',
        timezone: 'Europe/Berlin',
        hours: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '16:00']] },
        holidays: ['2025-12-25', '2025-12-26'],
        autoAssign: false,
      });
      await teams.setTeamCategories(asSue, team.id, { categoryIds: [category.id] });
      await teams.updateAgent(asSue, ana.id, { teamId: team.id, onDuty: true, capacity: 4, skills: ['invoices', 'refunds'] });
      await teams.updateAgent(asSue, bo.id, { teamId: team.id, onDuty: true, capacity: 6, skills: ['sso'] });
      const customers = await Promise.all(['wendy', 'walter', 'wilma'].map((h) => createMember(db.db, { handle: `customer_${h}`, trustLevel: 1 })));
      const titles = ['Refund still not on my card', 'Invoice shows the wrong VAT number', 'Charged twice this month'];
      const ids: number[] = [];
      for (const [i, customer] of customers.entries()) {
        const clock = new Clock(new Date(Date.now() - (3 - i) * 3_600_000));
        const { thread } = await createThread(db.db, customer, { category: category.slug, title: titles[i], clock, tags: i === 1 ? ['invoices'] : [] });
        await queue.requestStaff(ctxFor(db.db, customer, clock), thread.id);
        ids.push(await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${thread.id}`).then((r) => r.rows[0].id));
      }
      itemId = ids[1];
      // Bo holds the first one and is writing a reply on it
      await queue.claimQueueItem(ctxFor(db.db, bo), ids[0]);
      await queue.setPresence(ctxFor(db.db, bo), ids[0], { state: 'drafting' });
      await queue.setPresence(ctxFor(db.db, sue), ids[0], { state: 'viewing' });
      await runDueJobs({ db: db.db, now: () => new Date(), config: relaxedConfig }, jobHandlers);
    },
  });
});

afterAll(() => apps?.close());

const consoleAs = (actor: Actor) => apps.consoleAs(actor, { viewport: { width: 1360, height: 900 } });

const row = (page: Page, id: number) => page.locator(`[data-testid="queue-item"][data-item-id="${id}"]`);

describe('assigning from the console', () => {
  it('a supervisor assigns an item; the agent’s open Mine view shows it as theirs without reload', async () => {
    const anaPage = await consoleAs(ana);
    await anaPage.goto(`${apps.consoleBase}/?assignee=mine`);
    await anaPage.getByTestId('queue-empty').waitFor();
    await anaPage.getByText('Live', { exact: true }).waitFor();
    // Agents get no Assign menu
    expect(await anaPage.getByTestId('assign-select').count()).toBe(0);

    const suePage = await consoleAs(sue);
    await suePage.goto(apps.consoleBase);
    await row(suePage, itemId).waitFor();
    // presence on Bo's item: who is drafting, who is viewing
    const busyRow = suePage.locator('[data-testid="queue-item"]').first();
    await busyRow.getByTestId('presence-drafting').waitFor();
    expect(await busyRow.getByTestId('presence-drafting').textContent()).toMatch(/@agent_bo\s+is drafting/);
    if (SHOTS) await suePage.screenshot({ path: path.join(SHOTS, 'queue-supervisor.png'), fullPage: true });

    await row(suePage, itemId).getByTestId('assign-select').selectOption({ label: '@agent_ana · 0/4' });
    await row(suePage, itemId).getByTestId('queue-item-assigned-by').waitFor();
    expect(await row(suePage, itemId).getByTestId('queue-item-claimed').getAttribute('data-claimed-by')).toBe('agent_ana');

    // Ana's page, untouched since it loaded, now lists the item as hers
    await row(anaPage, itemId).waitFor({ timeout: 10_000 });
    expect(await row(anaPage, itemId).getByTestId('queue-item-claimed').textContent()).toMatch(/You[\s\S]*assigned by @super_sue/);
    expect(await anaPage.getByTestId('queue-empty').count()).toBe(0);
    if (SHOTS) await anaPage.screenshot({ path: path.join(SHOTS, 'queue-agent-mine.png'), fullPage: true });

    const audit = await db.db.execute<{ actor_id: number; action: string }>(sql`select actor_id, action from audit_log where subject_type = 'queue_item' and subject_id = ${itemId}`);
    expect(audit.rows).toEqual([{ actor_id: sue.id, action: 'queue.assigned' }]);
  });

  it('the Team page shows each agent’s load and lets an agent go off duty, with no supervisor controls', async () => {
    const suePage = await consoleAs(sue);
    await suePage.goto(`${apps.consoleBase}/team`);
    await suePage.getByTestId('team-card').first().waitFor();
    expect(await suePage.getByTestId('team-card').first().textContent()).toMatch(/Billing Europe[\s\S]*Mon–Thu 08:00–18:00[\s\S]*Fri 08:00–16:00/);
    expect(await suePage.getByRole('button', { name: 'New team' }).count()).toBe(1);
    if (SHOTS) await suePage.screenshot({ path: path.join(SHOTS, 'team-supervisor.png'), fullPage: true });

    const anaPage = await consoleAs(ana);
    await anaPage.goto(`${apps.consoleBase}/team`);
    const anaRow = anaPage.locator('[data-testid="agent-row"][data-handle="agent_ana"]');
    expect(await anaRow.textContent()).toMatch(/On duty[\s\S]*1 \/ 4/);
    expect(await anaPage.getByRole('button', { name: 'New team' }).count()).toBe(0);
    expect(await anaPage.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    await anaPage.getByTestId('duty-toggle').click();
    await anaRow.getByText('Off duty').waitFor();
    const { rows } = await db.db.execute<{ on_duty: boolean }>(sql`select on_duty from agent_profiles where user_id = ${ana.id}`);
    expect(rows[0].on_duty).toBe(false);
  });
});
