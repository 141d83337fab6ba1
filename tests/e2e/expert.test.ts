import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { forum, type Actor, type CoreConfig } from '@forum/core';
import type { TestDatabase } from '../support/db.js';
import { createCategory, createMember, ctxFor, relaxedConfig } from '../support/factories.js';
import { logInInBrowser, startBrowserForum, type BrowserForum } from '../support/browser.js';

// Expertise in a real browser: a member's second accepted answer in a tag makes them an Expert
// in it; their open page hears of it at once (the bell), the badge shows beside their answers,
// on their profile and on the tag's leaderboard, and the next question in the tag is routed to them.

const config: CoreConfig = { ...relaxedConfig, expert: { minAccepted: 2, minRatio: 0.5, windowDays: 180 } };
let running: BrowserForum;
let db: TestDatabase;
let browser: Browser;
let base: string;

beforeAll(async () => {
  running = await startBrowserForum({ config: config });
  ({ db, browser, base } = running);
});

afterAll(async () => running?.close());

const logIn = (page: Page, handle: string) => logInInBrowser(page, base, handle);

const ask = (author: Actor, title: string) =>
  forum.createThread(ctxFor(db.db, author, undefined, config), {
    category: 'help',
    kind: 'question',
    title,
    body: 'The desktop app says it is syncing but nothing arrives on my phone.',
    tags: ['sync'],
  });

describe('earning Expert in a tag, in the browser', () => {
  it('shows the badge beside the answers, on the profile and leaderboard, and routes the next question live', async () => {
    await createCategory(db.db, { slug: 'help', tags: ['sync'] });
    const eve = await createMember(db.db, { handle: 'eve_expert' });
    const ana = await createMember(db.db, { handle: 'ana_asks' });
    const ben = await createMember(db.db, { handle: 'ben_asks' });
    const cal = await createMember(db.db, { handle: 'cal_asks' });

    const first = await ask(ana, 'Sync stopped after the update');
    const second = await ask(ben, 'Phone does not receive synced notes');
    const answer1 = await forum.createReply(ctxFor(db.db, eve, undefined, config), first.thread.id, { body: 'Sign out and in again on the phone; the update reset the sync token.' });
    const answer2 = await forum.createReply(ctxFor(db.db, eve, undefined, config), second.thread.id, { body: 'Check that background refresh is allowed for the app, then pull to refresh.' });
    await forum.acceptAnswer(ctxFor(db.db, ana, undefined, config), first.thread.id, answer1.id);

    // Eve has one accepted answer: not an expert yet.
    const evePage = await (await browser.newContext()).newPage();
    await logIn(evePage, 'eve_expert');
    await evePage.goto(`${base}/t/${first.thread.id}`);
    const eveAnswer = evePage.locator(`#post-${answer1.id}`);
    await eveAnswer.waitFor();
    expect(await eveAnswer.getByTestId('expert-badge').count()).toBe(0);
    const unreadBefore = Number((await evePage.getByTestId('unread-count').textContent().catch(() => '0')) ?? '0');

    // Ben accepts her second answer in his browser.
    const benPage = await (await browser.newContext()).newPage();
    await logIn(benPage, 'ben_asks');
    await benPage.goto(`${base}/t/${second.thread.id}`);
    await benPage.locator(`#post-${answer2.id}`).getByTestId('accept-answer').click();
    await benPage.locator(`#post-${answer2.id}`).getByTestId('accepted-marker').waitFor();

    // Eve's open page: the bell counts the acceptance and the badge without a reload.
    await evePage.waitForFunction(
      (before) => Number(document.querySelector('[data-testid=unread-count]')?.textContent ?? '0') >= before + 2,
      unreadBefore,
      { timeout: 10_000 },
    );

    // The badge beside her answers, for everyone.
    await benPage.reload();
    const badgeOnBenPage = benPage.locator(`#post-${answer2.id}`).getByTestId('expert-badge');
    await badgeOnBenPage.waitFor();
    expect(await badgeOnBenPage.textContent()).toContain('Expert · sync');
    await evePage.reload();
    await evePage.locator(`#post-${answer1.id}`).getByTestId('expert-badge').waitFor();
    // Not beside the asker's name.
    expect(await evePage.locator('article').first().getByTestId('expert-badge').count()).toBe(0);

    await evePage.goto(`${base}/notifications`);
    await evePage.locator('[data-testid=notification][data-kind=badge]').first().waitFor();
    expect(await evePage.locator('[data-testid=notification][data-kind=badge]').first().textContent()).toContain('sync');

    await evePage.goto(`${base}/u/eve_expert`);
    expect(await evePage.locator('[data-testid=profile-badge][data-badge=expert]').textContent()).toContain('sync');
    await evePage.goto(`${base}/tags/sync/experts`);
    expect(await evePage.getByTestId('expert-row').allTextContents()).toEqual([expect.stringContaining('eve_expert')]);

    // The next sync question reaches her before any agent: live on her open notifications page.
    await evePage.goto(`${base}/notifications`);
    const routedBefore = await evePage.locator('[data-testid=notification][data-kind=routed]').count();
    await ask(cal, 'Sync conflict copies everywhere');
    const routed = evePage.locator('[data-testid=notification][data-kind=routed]');
    await evePage.waitForFunction((n) => document.querySelectorAll('[data-testid=notification][data-kind=routed]').length > n, routedBefore, { timeout: 10_000 });
    expect(await routed.first().textContent()).toContain('Sync conflict copies everywhere');
  });

  it('lets staff grant a badge from a member’s profile, with a reason, and members see no staff tools', async () => {
    const admin = await createMember(db.db, { handle: 'ada_admin', role: 'admin' });
    const member = await createMember(db.db, { handle: 'mo_member' });
    const memberPage = await (await browser.newContext()).newPage();
    await logIn(memberPage, member.handle);
    await memberPage.goto(`${base}/u/eve_expert`);
    await memberPage.getByRole('heading', { name: 'Badges' }).waitFor();
    expect(await memberPage.getByTestId('staff-tools').count()).toBe(0);

    const staffPage = await (await browser.newContext()).newPage();
    await logIn(staffPage, admin.handle);
    await staffPage.goto(`${base}/u/mo_member`);
    await staffPage.getByTestId('grant-badge').selectOption('helpful');
    await staffPage.getByTestId('grant-reason').fill('Ran the onboarding webinar answers');
    await staffPage.getByTestId('grant-submit').click();
    await staffPage.locator('[data-testid=profile-badge][data-badge=helpful]').waitFor();
    expect(await staffPage.locator('[data-testid=profile-badge][data-badge=helpful]').textContent()).toContain('granted by staff');
  });
});
