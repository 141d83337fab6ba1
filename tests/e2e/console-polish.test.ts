import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { badges, queue, teams, type Actor } from '@forum/core';
import type { TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// The console as its users see it: the navigation by role, the item page's two tracks with
// their first-response times, nudging an expert picked from the suggestions, and the Team
// page's calendar editor with its category picker and inline field errors.
let apps: BrowserConsole;
let db: TestDatabase;
let sue: Actor;
let ana: Actor;
let expert: Actor;
let itemId: number;
let threadId: number;
let teamId: number;
let categoryIds: { mobile: number; api: number };

beforeAll(async () => {
  apps = await startBrowserConsole({
    setup: async (database) => {
      db = database;
      sue = await createMember(db.db, { handle: 'super_sue', role: 'supervisor' });
      ana = await createMember(db.db, { handle: 'agent_ana', role: 'agent' });
      expert = await createMember(db.db, { handle: 'raj_expert', trustLevel: 2 });
      const asker = await createMember(db.db, { handle: 'asker_jo', trustLevel: 1 });
      const peer = await createMember(db.db, { handle: 'peer_lea', trustLevel: 1 });
      const asSue = ctxFor(db.db, sue);
      const mobile = await createCategory(db.db, { slug: 'mobile', windowMinutes: 60, tags: ['android'] });
      const api = await createCategory(db.db, { slug: 'api', windowMinutes: 60, tags: ['webhooks'] });
      categoryIds = { mobile: mobile.id, api: api.id };
      teamId = (await teams.createTeam(asSue, { name: 'Support', timezone: 'UTC', hours: null })).id;
      await teams.setTeamCategories(asSue, teamId, { categoryIds: [mobile.id] });
      await badges.grantBadge(asSue, expert.handle, { badge: 'expert', tag: 'webhooks', reason: 'Answers every webhook question' });

      // asked 3 h ago; a peer replied 2 h 10 min after; the asker asked for staff 20 min after asking
      const asked = new Date(Date.now() - 3 * 3_600_000);
      const { thread } = await createThread(db.db, asker, { category: api.slug, title: 'Webhook signatures do not match', tags: ['webhooks'], clock: new Clock(asked) });
      threadId = thread.id;
      await createReply(db.db, peer, thread.id, 'Check that you sign the raw body.', new Clock(new Date(asked.getTime() + 130 * 60_000)));
      await queue.requestStaff(ctxFor(db.db, asker, new Clock(new Date(asked.getTime() + 20 * 60_000))), thread.id);
      itemId = await db.db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${thread.id}`).then((r) => r.rows[0].id);
    },
  });
});

afterAll(() => apps?.close());

const consoleAs = (actor: Actor) => apps.consoleAs(actor, { viewport: { width: 1366, height: 900 } });

const navLabels = (page: Page) => page.locator('nav.sidebar a').allTextContents().then((l) => l.map((t) => t.trim()));

describe('the console as agents and supervisors see it', () => {
  it('hides supervisor-only sections from agents and keeps them for supervisors', async () => {
    const anaPage = await consoleAs(ana);
    await anaPage.goto(`${apps.consoleBase}/`);
    const agentNav = await navLabels(anaPage);
    expect(agentNav).toEqual(expect.arrayContaining(['Queue', 'Flags', 'Canned responses', 'Team', 'QA']));
    for (const hidden of ['Drafts', 'Dashboard', 'Watched words']) expect(agentNav).not.toContain(hidden);

    const suePage = await consoleAs(sue);
    await suePage.goto(`${apps.consoleBase}/`);
    expect(await navLabels(suePage)).toEqual(expect.arrayContaining(['Drafts', 'Dashboard', 'Watched words', 'Canned responses']));
  });

  it('shows both tracks with their first-response times, and nudges an expert picked from the suggestions', async () => {
    const page = await consoleAs(ana);
    await page.goto(`${apps.consoleBase}/items/${itemId}`);
    expect((await page.getByTestId('item-peer-track').textContent())?.replace(/\s+/g, ' ')).toMatch(/Peer answered · first reply after 2 h 10 min/);
    expect((await page.getByTestId('item-agent-track').textContent())?.replace(/\s+/g, ' ')).toMatch(/Agent queued · first response —/);

    const suggestion = page.getByTestId('expert-suggestion');
    expect(await suggestion.count()).toBe(1);
    expect(await suggestion.textContent()).toMatch(/@raj_expert[\s\S]*expert in webhooks/);
    await suggestion.click();
    expect(await page.getByTestId('nudge-handle').inputValue()).toBe('raj_expert');
    await page.getByTestId('nudge-send').click();
    await page.getByText('@raj_expert nudged by @agent_ana').waitFor();
    // once nudged, the expert is no longer suggested
    expect(await page.getByTestId('expert-suggestion').count()).toBe(0);
    const audit = await db.db.execute<{ actor_id: number; data: { expertId: number } }>(sql`select actor_id, data from audit_log where action = 'thread.nudged' and subject_id = ${threadId}`);
    expect(audit.rows).toEqual([{ actor_id: ana.id, data: expect.objectContaining({ expertId: expert.id }) }]);

    // an unknown handle is refused on the field
    await page.getByTestId('nudge-handle').fill('nobody_here');
    await page.getByTestId('nudge-send').click();
    await page.getByText('no such member').waitFor();
  });

  it('edits a team calendar with time ranges, a time zone, holidays and categories, showing the API’s errors inline', async () => {
    const page = await consoleAs(sue);
    await page.goto(`${apps.consoleBase}/team`);
    await page.getByRole('button', { name: 'Edit Support' }).click();
    const form = page.getByTestId('team-form');
    await form.getByTestId('team-24-7').uncheck();
    await form.getByTestId('team-tz').selectOption('Europe/Berlin');
    // Monday closes before it opens: the API's field error shows on Monday's row
    await form.getByTestId('hours-mon').getByLabel('Mon closes').fill('08:00');
    await form.getByRole('button', { name: 'Save team' }).click();
    await form.getByTestId('hours-mon').getByText(/ends before it starts/).waitFor();

    await form.getByTestId('hours-mon').getByLabel('Mon closes').fill('17:00');
    await form.getByTestId('hours-mon').getByRole('button', { name: '+ Hours' }).click();
    await form.getByTestId('hours-mon').getByLabel('Mon closes').nth(1).fill('20:00');
    await form.getByRole('button', { name: 'Copy Monday to Tue–Fri' }).click();
    await form.getByTestId('holiday-input').fill('2030-12-25');
    await form.getByRole('button', { name: 'Add holiday' }).click();
    await form.getByTestId('category-picker').getByLabel(/Api/i).check();
    await form.getByRole('button', { name: 'Save team' }).click();
    await page.getByTestId('team-form').waitFor({ state: 'detached' });
    await page.getByTestId('team-card').getByText('Mon–Fri 09:00–17:00, 17:00–20:00').waitFor();
    expect(await page.getByTestId('team-card').textContent()).toMatch(/Mon–Fri 09:00–17:00, 17:00–20:00[\s\S]*Europe\/Berlin[\s\S]*2030-12-25/);

    const [team] = (await teams.listTeams(ctxFor(db.db, sue))).teams;
    expect(team).toMatchObject({ timezone: 'Europe/Berlin', holidays: ['2030-12-25'] });
    expect(team.hours?.fri).toEqual([['09:00', '17:00'], ['17:00', '20:00']]);
    expect(team.hours?.sat).toBeUndefined();
    expect(team.categories.map((c) => c.id).sort()).toEqual([categoryIds.mobile, categoryIds.api].sort());
    const audit = await db.db.execute<{ action: string }>(sql`select action from audit_log where subject_type = 'team' and subject_id = ${teamId} order by id`);
    expect(audit.rows.map((r) => r.action)).toEqual(['team.created', 'team.categories_set', 'team.updated', 'team.categories_set']);
  });
});
