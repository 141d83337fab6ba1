import { sql } from 'drizzle-orm';
import type { Actor, CoreConfig, Ctx } from '../context.js';
import type { Db } from '../db/client.js';
import { flagPost } from '../flags/service.js';
import { assignQueueItem, claimQueueItem, QUEUE_JOBS, queueJobHandlers, requestStaff } from '../queue/service.js';
import { addNote, createCanned, renderCanned, staffReply } from '../staffwork/service.js';
import { createTeam, setTeamCategories, updateAgent } from '../teams/service.js';

// The console's live workflow for the demo, so a newcomer logging in as alex_agent or sam_super
// sees each state an item can be in: two teams with calendars and categories, agents on and off
// duty, canned responses, and open items that are claimed, escalated and assigned with a reply
// waiting for approval, flagged, and requested by their asker, with internal notes. Everything
// goes through the product's services with the clock set to when it happened; the queue's timers
// run as jobs would have run them then. Deterministic: it depends only on `now`.
// The other unanswered threads are left to the live queue, which opens them on start.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const OFFICE_HOURS: Array<[string, string]> = [['09:00', '17:00']];

/** The next 25 and 26 December and 1 January after `now`, as the Support team's holidays. */
function comingHolidays(now: Date): string[] {
  const y = now.getUTCFullYear();
  const days = [`${y}-12-25`, `${y}-12-26`, `${y + 1}-01-01`].map((d) => (d < now.toISOString().slice(0, 10) ? d.replace(/^\d{4}/, (v) => String(Number(v) + 1)) : d));
  return [...new Set(days)].sort();
}

export async function seedConsoleWorkflow(db: Db, config: CoreConfig, now: Date, who: (handle: string) => Actor): Promise<void> {
  let clock = new Date(now.getTime() - 3 * DAY);
  const at = (msAgo: number) => (clock = new Date(now.getTime() - msAgo));
  const as = (actor: Actor | null): Ctx => ({ db, actor, now: () => clock, config });
  const sam = who('sam_super');
  const alex = who('alex_agent');

  const threadId = async (title: string): Promise<number> => {
    const { rows } = await db.execute<{ id: number }>(sql`select id from threads where title = ${title}`);
    if (!rows[0]) throw new Error(`the demo workflow names a thread the demo content lacks: ${title}`);
    return rows[0].id;
  };
  const categoryIds = async (slugs: string[]): Promise<number[]> => {
    const { rows } = await db.execute<{ id: number }>(sql`select id from categories where slug = any(${`{${slugs.join(',')}}`}::text[]) order by position`);
    return rows.map((r) => r.id);
  };
  const openItemOf = async (id: number): Promise<number> => {
    const { rows } = await db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${id} and status <> 'resolved'`);
    return rows[0].id;
  };
  const run = (job: string, payload: Record<string, unknown>) => queueJobHandlers[job](as(null), payload);

  // Teams, calendars and who works where, set up by the support lead three days ago.
  const support = await createTeam(as(sam), {
    slug: 'support',
    name: 'Support',
    timezone: 'Europe/Berlin',
    hours: { mon: OFFICE_HOURS, tue: OFFICE_HOURS, wed: OFFICE_HOURS, thu: OFFICE_HOURS, fri: OFFICE_HOURS },
    holidays: comingHolidays(now),
    autoAssign: true,
  });
  await setTeamCategories(as(sam), support.id, { categoryIds: await categoryIds(['getting-started', 'mobile']) });
  const billing = await createTeam(as(sam), { slug: 'billing', name: 'Billing', timezone: 'UTC', hours: null, autoAssign: false });
  await setTeamCategories(as(sam), billing.id, { categoryIds: await categoryIds(['billing']) });
  // Billing replies promise money: a supervisor reads agents' replies before they go out.
  await db.execute(sql`update categories set reply_approval = true where slug = 'billing'`);
  await updateAgent(as(sam), alex.id, { teamId: support.id, capacity: 4, skills: ['ios', 'android', 'notifications', 'onboarding', 'invites'], onDuty: true });
  await updateAgent(as(sam), sam.id, { teamId: billing.id, capacity: 3, skills: ['invoices', 'plans', 'sso', 'refunds'], onDuty: false });

  const greeting = await createCanned(as(sam), {
    title: 'Greeting: looking into it',
    body: 'Hi {customer.name}, thanks for asking about “{thread.title}”. We’re looking into it now and will post here as soon as we know more.\n\n{agent.name}',
  });
  const refund = await createCanned(as(sam), {
    title: 'Billing: duplicate charge refunded',
    body: 'Hi {customer.name}, sorry about the double charge. I’ve refunded the duplicate payment; depending on your bank it shows on your statement within 5–10 business days. Your invoice history stays as it is, with one invoice for the month.\n\n{agent.name}, {category.name}',
  });
  await createCanned(as(sam), {
    title: 'Solved: closing the loop',
    body: 'Glad this works now, {customer.name}! I’m marking “{thread.title}” as resolved. If it comes back, reply here and it returns to our queue.',
  });

  // Claims return to the queue after config.queue.idleClaimMinutes without agent activity, so
  // the agents' last work below is minutes old: the demo's claims hold for a while after start.

  // Claimed: the community window of an iPhone question ended an hour ago; Alex took it,
  // answered and left a note for whoever picks it up next.
  const watch = await threadId('Duplicate notifications on iPhone and Apple Watch');
  at(60 * MIN);
  await run(QUEUE_JOBS.checkUnanswered, { threadId: watch });
  const watchItem = await openItemOf(watch);
  at(14 * MIN);
  await claimQueueItem(as(alex), watchItem);
  at(9 * MIN);
  const { text: hello } = await renderCanned(as(alex), greeting.id, { threadId: watch });
  await staffReply(as(alex), watch, { body: hello, cannedResponseId: greeting.id });
  await run(QUEUE_JOBS.threadActivity, { event: 'forum.post.created', facts: { threadId: watch, authorId: alex.id } });
  at(4 * MIN);
  await addNote(as(alex), watch, {
    body: 'Reproduced with iOS app 5.12 and watchOS 10: both the phone and the watch register for push, so mentions arrive twice. Asked the mobile team in #mobile-bugs; workaround until the fix: turn off Orbit in the Watch app’s notification settings.',
  });

  // Escalated, then assigned: a billing question waited past the escalation time; the lead gave
  // it to Alex, whose reply waits for the lead's approval (Billing asks for it).
  const charged = await threadId('Charged twice this month');
  at(24 * HOUR);
  await run(QUEUE_JOBS.checkUnanswered, { threadId: charged });
  const chargedItem = await openItemOf(charged);
  at(24 * HOUR - config.queue.escalateAfterMinutes * MIN);
  await run(QUEUE_JOBS.escalate, { itemId: chargedItem });
  at(3 * HOUR);
  await addNote(as(sam), charged, { body: 'Finance confirmed the duplicate charge on the 3rd (payment provider retried a timed-out request). Refund approved for the full amount.' });
  at(25 * MIN);
  await assignQueueItem(as(sam), chargedItem, { agentId: alex.id });
  at(6 * MIN);
  const { text: refunded } = await renderCanned(as(alex), refund.id, { threadId: charged });
  await staffReply(as(alex), charged, { body: refunded, cannedResponseId: refund.id });

  // Flagged: a member asks staff to confirm a discount another member promised.
  const nonprofit = await threadId('Nonprofit discount?');
  const { rows: replies } = await db.execute<{ id: number }>(sql`select id from posts where thread_id = ${nonprofit} and position = 2`);
  at(50 * MIN);
  await flagPost(as(who('tomasz')), replies[0].id, { reason: 'needs_staff', note: 'Is this an official offer? Staff should confirm before more people email sales about it.' });
  await run(QUEUE_JOBS.flagRaised, { facts: { threadId: nonprofit, postId: replies[0].id, reason: 'needs_staff' } });

  // Requested: the asker of a fresh Zapier question asked for staff help straight away.
  const zapier = await threadId('Zapier: create task with custom fields');
  at(40 * MIN);
  await requestStaff(as(who('amara')), zapier);

  clock = now;
}
