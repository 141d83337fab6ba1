import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import type { TestDatabase } from '../support/db.js';
import { flags, type Actor } from '@forum/core';
import { createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { logInInBrowser, logInToConsole, startBrowserConsole, type BrowserConsole } from '../support/browser.js';

// Issue 4 in real browsers, both apps on one database: a member flags a post in the forum, the
// agent's open console Flags page shows it without reloading, the agent agrees and hides it, and
// another member's open thread page shows the post gone, also without reloading.
let apps: BrowserConsole;
let db: TestDatabase;
let threadId: number;
let postId: number;
let staffPostId: number;
let members: Actor[];

const SPAM = 'Get 90% off Orbit at orbit-deals.example, limited time!';

beforeAll(async () => {
  apps = await startBrowserConsole({
    forum: true,
    setup: async (database) => {
      db = database;
      const category = await createCategory(db.db, { slug: 'billing' });
      const asker = await createMember(db.db, { handle: 'asking_ada' });
      const spammer = await createMember(db.db, { handle: 'deal_dan' });
      await createMember(db.db, { handle: 'flagging_fay' });
      await createMember(db.db, { handle: 'reading_rui' });
      await createMember(db.db, { handle: 'agent_alba', role: 'agent' });
      const agentBo = await createMember(db.db, { handle: 'agent_bo', role: 'agent' });
      members = [await createMember(db.db, { handle: 'grumpy_gus' }), await createMember(db.db, { handle: 'second_sue' })];
      threadId = (await createThread(db.db, asker, { category: category.slug, title: 'Can I pay yearly by invoice?' })).thread.id;
      postId = (await createReply(db.db, spammer, threadId, SPAM)).id;
      staffPostId = (await createReply(db.db, agentBo, threadId, 'Yes: switch to yearly under Billing and pick invoice.')).id;
    },
  });
});

afterAll(() => apps?.close());

const postOn = (page: Page) => page.locator(`[data-testid="post"]`).filter({ has: page.locator(`#post-${postId}-by`) });

describe('flags in the browser, forum to console and back', () => {
  it('shows a flag live in the console; the agent hides the post and a reader’s open page loses it', async () => {
    // The agent has the Flags screen open (reached from the sidebar), with nothing on it yet.
    const agent = await apps.tab();
    await logInToConsole(agent.page, apps.consoleBase, 'agent_alba');
    await agent.page.getByRole('link', { name: 'Flags' }).click();
    await agent.page.waitForURL(/\/flags$/);
    await agent.page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    await agent.page.getByTestId('flags-empty').waitFor();

    // A reader has the thread open and reads the post.
    const reader = await apps.tab();
    await logInInBrowser(reader.page, apps.forumBase, 'reading_rui');
    await reader.page.goto(`${apps.forumBase}/t/${threadId}`);
    await reader.joined;
    expect(await postOn(reader.page).getByTestId('post-body').textContent()).toContain('orbit-deals.example');

    // Another member flags it for staff through the post's Flag form.
    const flagger = await apps.tab();
    await logInInBrowser(flagger.page, apps.forumBase, 'flagging_fay');
    await flagger.page.goto(`${apps.forumBase}/t/${threadId}`);
    await postOn(flagger.page).getByTestId('flag-post').click();
    const form = postOn(flagger.page).getByTestId('flag-form');
    await form.getByLabel('Needs a staff member').check();
    await form.getByLabel(/Anything the moderator should know/).fill('Coupon spam, please remove');
    await form.getByTestId('flag-submit').click();
    await postOn(flagger.page).getByTestId('flag-sent').waitFor();

    // The console shows it without a reload: the excerpt, the flag with its flagger and note.
    const flagged = agent.page.locator(`[data-testid="flagged-post"][data-post-id="${postId}"]`);
    await flagged.waitFor();
    expect(await flagged.getByTestId('flagged-excerpt').textContent()).toContain('orbit-deals.example');
    const flag = flagged.getByTestId('flag');
    expect(await flag.count()).toBe(1);
    const flagText = await flag.textContent();
    expect(flagText).toContain('Needs staff');
    expect(flagText).toContain('@flagging_fay');
    expect(flagText).toContain('Coupon spam, please remove');
    expect(await flagged.getByTestId('flagged-hidden').count()).toBe(0);
    // A "needs staff" flag does not hide anything by itself: the reader still reads the post.
    expect(await postOn(reader.page).getByTestId('post-body').textContent()).toContain('orbit-deals.example');

    // The agent agrees and hides it: it leaves the Flags list.
    await flagged.getByTestId('flag-note').fill('Advertising');
    await flagged.getByTestId('flag-agree-hide').click();
    await flagged.waitFor({ state: 'detached' });
    await agent.page.getByTestId('flags-empty').waitFor();

    // The reader's open page shows the post hidden, without reloading.
    await postOn(reader.page).getByTestId('post-body').filter({ hasText: 'hidden pending review by moderators' }).waitFor();
    expect(await reader.page.getByText('orbit-deals.example').count()).toBe(0);

    const { rows: posts } = await db.db.execute<{ hidden: boolean }>(sql`select hidden_at is not null as hidden from posts where id = ${postId}`);
    expect(posts).toEqual([{ hidden: true }]);
    const { rows: flags } = await db.db.execute<{ status: string; resolution_note: string | null }>(
      sql`select status, resolution_note from flags where post_id = ${postId}`,
    );
    expect(flags).toEqual([{ status: 'agreed', resolution_note: 'Advertising' }]);
  });

  it('shows a refused decision in place, and a deferred post leaves the list until someone flags it again', async () => {
    await flags.flagPost(ctxFor(db.db, members[0]), staffPostId, { reason: 'abusive', note: 'Rude to me' });
    const { page } = await apps.tab();
    await logInToConsole(page, apps.consoleBase, 'agent_alba');
    await page.goto(`${apps.consoleBase}/flags`);
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    const flagged = page.locator(`[data-testid="flagged-post"][data-post-id="${staffPostId}"]`);
    await flagged.waitFor();

    // Staff cannot be silenced: the API's refusal is shown on the post, which stays listed.
    await flagged.getByTestId('flag-silence').selectOption('24');
    await flagged.getByTestId('flag-agree-hide').click();
    const refusal = flagged.getByTestId('flag-error');
    await refusal.waitFor();
    expect((await refusal.textContent())?.trim()).toBe('Silence the author: this author cannot be silenced (staff)');
    expect(await flagged.count()).toBe(1);

    // Deferring keeps the flag open but takes the post off this agent's list.
    await flagged.getByTestId('flag-defer').click();
    await flagged.waitFor({ state: 'detached' });
    await page.getByTestId('flags-empty').waitFor();
    const { rows } = await db.db.execute<{ status: string }>(sql`select status from flags where post_id = ${staffPostId}`);
    expect(rows).toEqual([{ status: 'open' }]);

    // A new flag on it brings it back, live, with both flags.
    await flags.flagPost(ctxFor(db.db, members[1]), staffPostId, { reason: 'off_topic' });
    await flagged.waitFor();
    expect(await flagged.getByTestId('flag').count()).toBe(2);
  });
});
