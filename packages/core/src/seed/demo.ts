import { count, sql } from 'drizzle-orm';
import type { Actor, Ctx, CoreConfig } from '../context.js';
import type { Db } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { signUp } from '../accounts/service.js';
import { categories, tags } from '../forum/schema.js';
import * as forum from '../forum/service.js';
import { setTrustLevel } from '../members/service.js';
import { evaluateEveryone } from '../reputation/trust.js';
import type { Role, ThreadKind } from '../forum/types.js';
import { demoThreads } from './demo-content.js';
import { seedConsoleHistory } from './demo-console.js';
import { seedConsoleWorkflow } from './demo-workflow.js';
import { seedCrmDemo } from './demo-crm.js';
import { publishArticle } from '../kb/service.js';

export const DEMO_PASSWORD = 'community-demo';

const members: Array<{ handle: string; name: string; role: Role }> = [
  { handle: 'maya', name: 'Maya Lindqvist', role: 'member' },
  { handle: 'dev_raj', name: 'Raj Patel', role: 'member' },
  { handle: 'sofia', name: 'Sofia Moreno', role: 'member' },
  { handle: 'tomasz', name: 'Tomasz Nowak', role: 'member' },
  { handle: 'lea', name: 'Léa Martin', role: 'member' },
  { handle: 'kenji', name: 'Kenji Watanabe', role: 'member' },
  { handle: 'amara', name: 'Amara Okafor', role: 'member' },
  { handle: 'jonas', name: 'Jonas Berg', role: 'member' },
  { handle: 'priya', name: 'Priya Sharma', role: 'member' },
  { handle: 'alex_agent', name: 'Alex Kim (Support)', role: 'agent' },
  { handle: 'sam_super', name: 'Sam Rivera (Support lead)', role: 'supervisor' },
  { handle: 'admin', name: 'Community Admin', role: 'admin' },
  { handle: 'pia_product', name: 'Pia Novak (Product)', role: 'product' },
];

const categoryList = [
  { slug: 'getting-started', name: 'Getting started', description: 'New to Orbit? Ask anything about setting up your workspace, projects and team.', window: 240, tags: ['onboarding', 'projects', 'invites'] },
  { slug: 'billing', name: 'Billing & accounts', description: 'Plans, invoices, payment methods, single sign-on and account settings.', window: 120, tags: ['invoices', 'plans', 'sso'] },
  { slug: 'integrations', name: 'Integrations & API', description: 'The REST API, webhooks, Slack, Zapier and everything that connects Orbit to your stack.', window: 480, tags: ['api', 'webhooks', 'slack', 'zapier'] },
  { slug: 'mobile', name: 'Mobile apps', description: 'The iOS and Android apps: sync, offline mode and notifications.', window: 240, tags: ['ios', 'android', 'notifications'] },
  { slug: 'ideas', name: 'Ideas & feedback', description: 'Tell the product team what you need. Vote on what matters to you.', window: 1440, tags: ['feature-request', 'ux'] },
];

const HOUR = 3_600_000;

/**
 * Seeds the demo community on an empty database (no members yet): categories and tags, thirteen
 * accounts (nine members, an agent, a supervisor, an admin, a product manager) and about forty threads written
 * through the ordinary services with a clock set in the past, so some are solved, some answered
 * and some still unanswered past their community window. Members' reputation and trust levels
 * follow from that activity. Returns false when data exists.
 */
export async function seedDemoCommunity(database: Db, config: CoreConfig, now = new Date()): Promise<boolean> {
  // One transaction: a seed that fails half-way leaves nothing behind, and is tried again next start.
  return database.transaction(async (tx) => {
    const db = tx as unknown as Db;
    const [{ n }] = await db.select({ n: count() }).from(users);
    if (n > 0) return false;
    await seedInto(db, config, now);
    return true;
  });
}

async function seedInto(db: Db, config: CoreConfig, now: Date): Promise<void> {
  const relaxed: CoreConfig = {
    ...config,
    rateLimits: { signup: { limit: 1e9, windowSeconds: 1 }, login: { limit: 1e9, windowSeconds: 1 }, post: { limit: 1e9, windowSeconds: 1 } },
  };
  let clock = new Date(now.getTime() - 40 * 24 * HOUR);
  const ctxFor = (actor: Actor | null): Ctx => ({ db, actor, now: () => clock, config: relaxed });

  for (const [i, c] of categoryList.entries()) {
    const [row] = await db
      .insert(categories)
      .values({ slug: c.slug, name: c.name, description: c.description, communityWindowMinutes: c.window, position: i })
      .returning();
    await db.insert(tags).values(c.tags.map((slug) => ({ slug, name: slug.replace(/-/g, ' '), categoryId: row.id })));
  }

  const actors = new Map<string, Actor>();
  for (const m of members) {
    actors.set(m.handle, await signUp(ctxFor(null), { handle: m.handle, email: `${m.handle}@example.com`, password: DEMO_PASSWORD, displayName: m.name, role: m.role }));
  }
  const who = (handle: string) => {
    const actor = actors.get(handle);
    if (!actor) throw new Error(`demo content names an unknown member: ${handle}`);
    return actor;
  };

  const ordered = [...demoThreads].sort((a, b) => b.ageHours - a.ageHours);
  for (const t of ordered) {
    clock = new Date(now.getTime() - t.ageHours * HOUR);
    const { thread, post } = await forum.createThread(ctxFor(who(t.by)), {
      category: t.category,
      kind: t.kind as ThreadKind,
      title: t.title,
      body: t.body,
      tags: t.tags,
    });
    const replyIds: number[] = [];
    for (const [i, r] of (t.replies ?? []).entries()) {
      clock = new Date(now.getTime() - t.ageHours * HOUR + (i + 1) * (r.afterMinutes ?? 35) * 60_000);
      const reply = await forum.createReply(ctxFor(who(r.by)), thread.id, { body: r.body });
      replyIds.push(reply.id);
      for (const voter of r.upvotes ?? []) await forum.votePost(ctxFor(who(voter)), reply.id, 1);
    }
    for (const voter of t.upvotes ?? []) await forum.votePost(ctxFor(who(voter)), post.id, 1);
    if (t.accept !== undefined) await forum.acceptAnswer(ctxFor(who(t.by)), thread.id, replyIds[t.accept]);
  }

  // Reputation came with the votes and acceptances above (the same ledger code the product
  // runs); trust levels come from the same evaluation the hourly housekeeping runs.
  clock = now;
  await evaluateEveryone(ctxFor(null));
  // The two busiest answerers came over from an older community: the admin vouches for them
  // (audited like any level change), so the demo shows what regulars may do.
  for (const handle of ['dev_raj', 'kenji']) {
    await setTrustLevel(ctxFor(who('admin')), handle, { level: 3, locked: false, reason: 'Top answerers in the previous community forum' });
  }
  // The console's last weeks: queue items, resolutions, CSAT, flags and a QA sample for the dashboard.
  await seedConsoleHistory(db, config, now, who);
  // …and its live workflow: teams, canned responses and items in every state.
  await seedConsoleWorkflow(db, relaxed, now, who);
  // …and the customers behind the members: CRM contacts, links and cases escalated to support.
  await seedCrmDemo(db, relaxed, now, who);
  // …and the knowledge base: two solved threads written up by the support lead.
  clock = new Date(now.getTime() - 5 * 24 * HOUR);
  for (const [title, article, body] of [
    ['How do I invite my whole team at once?', 'Inviting your whole team at once', 'Go to **Settings → Members → Invite** and paste a comma-separated list of email addresses, or upload a CSV with `email,role` columns.\n\nWith Google Workspace you can instead turn on *domain sign-up*: colleagues with your company email join without an invite.'],
    ['Can I copy a project as a template?', 'Copying a project as a template', 'Open the project menu (⋯) and choose **Save as template**. When you create a project from the template, pick a start date: every due date moves relative to it.'],
  ] as const) {
    const { rows } = await db.execute<{ id: number }>(sql`select id from threads where title = ${title}`);
    await publishArticle(ctxFor(who('sam_super')), rows[0].id, { title: article, body });
  }
  clock = now;
}

export const demoAccounts = members;
