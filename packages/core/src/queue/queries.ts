import { and, asc, eq, gt, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { flags } from '../flags/schema.js';
import { categories, posts, threads } from '../forum/schema.js';
import { threadColumns } from '../forum/queries.js';
import { queuePresence, teams } from '../teams/schema.js';
import { queueItems } from './schema.js';
import type { Role } from '../forum/types.js';
import type { QueueReason } from './types.js';

export type QueueItemRow = typeof queueItems.$inferSelect;

/**
 * Whether the community answered the thread: for a discussion, any peer reply (not the author,
 * not staff); for a question, an accepted answer that is not staff's, or a peer answer with a
 * positive score. Correlated on `threads`.
 */
const communityAnswered = sql<boolean>`case
  when ${threads.kind} = 'discussion' then ${threads.firstPeerReplyAt} is not null
  else exists (
    select 1 from ${posts} p join ${users} u on u.id = p.author_id
    where p.thread_id = ${threads.id} and p.position > 1 and p.deleted_at is null and p.held_at is null
      and u.role = 'member'
      and (p.id = ${threads.acceptedPostId} or (p.score > 0 and p.author_id <> ${threads.authorId})))
  end`;

/** What the entry and exit rules need about a thread, its row locked; nothing for a deleted thread. */
export async function lockThreadState(db: Executor, threadId: number) {
  const [row] = await db
    .select({
      id: threads.id,
      authorId: threads.authorId,
      kind: threads.kind,
      status: threads.status,
      heldAt: threads.heldAt,
      createdAt: threads.createdAt,
      communityWindowMinutes: categories.communityWindowMinutes,
      slaMinutes: categories.slaMinutes,
      flagThreshold: categories.flagThreshold,
      communityAnswered,
      /** support has the thread as a CRM case, not closed yet */
      withSupport: sql<boolean>`(${threads.supportSince} is not null and ${threads.supportResolvedAt} is null)`,
      teamId: teams.id,
      timezone: teams.timezone,
      hours: teams.hours,
      holidays: teams.holidays,
    })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(teams, eq(teams.id, categories.teamId))
    .where(and(eq(threads.id, threadId), sql`${threads.deletedAt} is null`))
    .for('update', { of: threads });
  return row;
}

export type ThreadState = NonNullable<Awaited<ReturnType<typeof lockThreadState>>>;

/** Whether the thread has an open item, without locking: most replies and votes concern none. */
export async function hasOpenItem(db: Executor, threadId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: queueItems.id })
    .from(queueItems)
    .where(and(eq(queueItems.threadId, threadId), ne(queueItems.status, 'resolved')));
  return row !== undefined;
}

/** The thread's open item (any status but resolved), locked. */
export async function lockOpenItem(db: Executor, threadId: number): Promise<QueueItemRow | undefined> {
  const [row] = await db
    .select()
    .from(queueItems)
    .where(and(eq(queueItems.threadId, threadId), ne(queueItems.status, 'resolved')))
    .for('update');
  return row;
}

export async function lockItem(db: Executor, id: number): Promise<QueueItemRow | undefined> {
  const [row] = await db.select().from(queueItems).where(eq(queueItems.id, id)).for('update');
  return row;
}

/** The summed weight of a post's open flags. */
export async function openFlagWeight(db: Executor, postId: number): Promise<number> {
  const [row] = await db
    .select({ weight: sql<number>`coalesce(sum(${flags.weight}), 0)`.mapWith(Number) })
    .from(flags)
    .where(and(eq(flags.postId, postId), eq(flags.status, 'open')));
  return row?.weight ?? 0;
}

/** An escalated item stays escalated while someone holds it; any other open item becomes claimed. */
const heldStatus = sql`(case when ${queueItems.escalatedAt} is null then 'claimed' else 'escalated' end)::queue_status`;
/** Back in the queue: queued, or still escalated. */
export const waitingStatus = sql`(case when ${queueItems.escalatedAt} is null then 'queued' else 'escalated' end)::queue_status`;

/**
 * Claims an item nobody holds for `agentId` in one conditional statement: it wins only while the
 * item is open and unheld, so of two agents claiming at once exactly one gets a row back.
 */
export async function claimItem(db: Executor, id: number, agentId: number, now: Date): Promise<QueueItemRow | undefined> {
  const [row] = await db
    .update(queueItems)
    .set({ status: heldStatus, claimedById: agentId, claimedAt: now, lastAgentActivityAt: now, assignedById: null })
    .where(and(eq(queueItems.id, id), ne(queueItems.status, 'resolved'), isNull(queueItems.claimedById)))
    .returning();
  return row;
}

/** Hands a locked open item to `agentId` (a supervisor's assignment, or automatic: `by` null). */
export async function assignItem(db: Executor, id: number, agentId: number, by: number | null, now: Date): Promise<QueueItemRow> {
  const [row] = await db
    .update(queueItems)
    .set({ status: heldStatus, claimedById: agentId, claimedAt: now, lastAgentActivityAt: now, assignedById: by })
    .where(eq(queueItems.id, id))
    .returning();
  return row;
}

/** Returns a locked item to the queue: nobody holds it. */
export async function unclaimItem(db: Executor, id: number, now: Date): Promise<QueueItemRow> {
  const [row] = await db
    .update(queueItems)
    .set({ status: waitingStatus, claimedById: null, claimedAt: null, assignedById: null, lastAgentActivityAt: now })
    .where(eq(queueItems.id, id))
    .returning();
  return row;
}

// ---------------------------------------------------------------------------------------------
// Presence: who has an item open in the console

export async function upsertPresence(db: Executor, itemId: number, userId: number, state: 'viewing' | 'drafting', at: Date): Promise<void> {
  await db
    .insert(queuePresence)
    .values({ itemId, userId, state, seenAt: at })
    .onConflictDoUpdate({ target: [queuePresence.itemId, queuePresence.userId], set: { state, seenAt: at } });
}

export async function deletePresence(db: Executor, itemId: number, userId: number): Promise<void> {
  await db.delete(queuePresence).where(and(eq(queuePresence.itemId, itemId), eq(queuePresence.userId, userId)));
}

/** Fresh presence (seen after `since`) on the given items, first comers first. */
export async function listPresence(db: Executor, itemIds: number[], since: Date) {
  if (!itemIds.length) return [];
  return db
    .select({
      itemId: queuePresence.itemId,
      state: queuePresence.state,
      seenAt: queuePresence.seenAt,
      userId: users.id,
      handle: users.handle,
      displayName: users.displayName,
      role: users.role,
    })
    .from(queuePresence)
    .innerJoin(users, eq(users.id, queuePresence.userId))
    .where(and(inArray(queuePresence.itemId, itemIds), gt(queuePresence.seenAt, since)))
    .orderBy(asc(queuePresence.itemId), asc(queuePresence.seenAt), asc(users.id));
}

export type PresenceRow = Awaited<ReturnType<typeof listPresence>>[number];

const claimer = alias(users, 'claimer');
const resolver = alias(users, 'resolver');
const assigner = alias(users, 'assigner');

export interface QueueFilter {
  /** open items, resolved ones, or (undefined) either: for looking items up by id */
  open?: boolean;
  reason?: QueueReason;
  ids?: number[];
  /** open items held by this agent */
  claimedBy?: number;
  /** open items nobody holds */
  unclaimed?: boolean;
  /** with each item, who has it open in the console: staff seen on it after this instant */
  presenceSince?: Date;
}

/** Open items: [dueAt, priority, openedAt, id]; resolved ones: [resolvedAt, id]. */
export type QueueKeyset = [Date, number, Date, number] | [Date, number];

/** Which clauses a listing has; its values travel as placeholders, so one shape is one statement. */
interface ListShape {
  open: boolean | undefined;
  reason: boolean;
  ids: boolean;
  claimedBy: boolean;
  unclaimed: boolean;
  after: 0 | 2 | 4;
  /** rows wanted: part of the statement, not a parameter (see buildList) */
  limit: number;
  presence: boolean;
}

/** One staff member's fresh presence on an item, as PostgreSQL's json_agg gives it (seenAt a timestamp string). */
export interface PresenceJson {
  userId: number;
  handle: string;
  displayName: string;
  role: Role;
  state: 'viewing' | 'drafting';
  seenAt: string;
}

const p = sql.placeholder;

const pick = alias(queueItems, 'pick');

/**
 * The listing in two steps in one statement: the ids of the page first, from the open (or
 * resolved) partial index in its own order, leaving out items of deleted threads, and only then
 * the thread summaries and agents of those few rows. The status tests and the LIMIT are literals,
 * not parameters: in a prepared statement's generic plan PostgreSQL then still proves the partial
 * index applies and knows the page is a few rows (with LIMIT $n it plans for a tenth of the table
 * and picks sequential scans of threads and users).
 */
function buildList(db: Executor, s: ListShape) {
  const byDue = s.open !== false;
  // Resolved newest first with nulls last, as queue_items_resolved_idx is built (a bare DESC
  // would put nulls first and miss the index).
  const order = (t: typeof queueItems | typeof pick) =>
    byDue ? [asc(t.dueAt), asc(t.priority), asc(t.openedAt), asc(t.id)] : [sql`${t.resolvedAt} desc nulls last`, sql`${t.id} desc nulls last`];
  const conditions: (SQL | undefined)[] = [
    s.open === undefined ? undefined : s.open ? sql`${pick.status} <> 'resolved'` : sql`${pick.status} = 'resolved'`,
    sql`not exists (select 1 from ${threads} gone where gone.id = ${pick.threadId} and gone.deleted_at is not null)`,
    s.reason ? sql`${p('reason')}::text = any(${pick.reasons})` : undefined,
    s.ids ? sql`${pick.id} = any(${p('ids')}::int[])` : undefined,
    s.claimedBy ? sql`${pick.claimedById} = ${p('claimedBy')}::int` : undefined,
    s.unclaimed ? isNull(pick.claimedById) : undefined,
    s.after === 4
      ? sql`(${pick.dueAt}, ${pick.priority}, ${pick.openedAt}, ${pick.id}) > (${p('due')}::timestamptz, ${p('priority')}::smallint, ${p('opened')}::timestamptz, ${p('id')}::int)`
      : s.after === 2
        ? sql`(${pick.resolvedAt}, ${pick.id}) < (${p('resolved')}::timestamptz, ${p('id')}::int)`
        : undefined,
  ];
  const page = db
    .select({ id: pick.id })
    .from(pick)
    .where(and(...conditions))
    .orderBy(...order(pick))
    // a literal (a clamped integer): Drizzle would send a number as a parameter
    .limit(sql.raw(String(s.limit)) as unknown as number);
  return db
    .select({
      item: queueItems,
      thread: threadColumns,
      firstPeerReplyAt: threads.firstPeerReplyAt,
      claimerHandle: claimer.handle,
      claimerDisplayName: claimer.displayName,
      claimerRole: claimer.role,
      resolverHandle: resolver.handle,
      resolverDisplayName: resolver.displayName,
      resolverRole: resolver.role,
      assignerHandle: assigner.handle,
      assignerDisplayName: assigner.displayName,
      assignerRole: assigner.role,
      // who has each item open, in the same statement: one round trip for the whole page
      presence: s.presence
        ? sql<PresenceJson[] | null>`(
            select json_agg(json_build_object('userId', pu.id, 'handle', pu.handle, 'displayName', pu.display_name, 'role', pu.role,
                                              'state', qp.state, 'seenAt', qp.seen_at) order by qp.seen_at, pu.id)
            from ${queuePresence} qp join ${users} pu on pu.id = qp.user_id
            where qp.item_id = ${queueItems.id} and qp.seen_at > ${p('presenceSince')}::timestamptz)`
        : sql<PresenceJson[] | null>`null`,
    })
    .from(queueItems)
    .innerJoin(threads, eq(threads.id, queueItems.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(users, eq(users.id, threads.authorId))
    .leftJoin(claimer, eq(claimer.id, queueItems.claimedById))
    .leftJoin(resolver, eq(resolver.id, queueItems.resolvedById))
    .leftJoin(assigner, eq(assigner.id, queueItems.assignedById))
    .where(sql`${queueItems.id} = any(array(${page}))`)
    .orderBy(...order(queueItems));
}

type ListStatement = ReturnType<ReturnType<typeof buildList>['prepare']>;

// The console's queue listing is read on every agent's screen all day: outside transactions its
// statements are named prepared statements (one per shape), built once per pool and planned
// once per connection, as the thread page's are.
const preparedLists = new WeakMap<Db, Map<string, ListStatement>>();

/**
 * Queue items with their thread summary and agents: open ones by SLA due time, then priority
 * (reason, tier), then age (queue_items_open_priority_idx), resolved ones newest first. Items of
 * deleted threads are left out.
 */
export async function listItemRows(db: Executor, filter: QueueFilter, limit: number, after?: QueueKeyset) {
  const shape: ListShape = {
    open: filter.open,
    reason: filter.reason !== undefined,
    ids: filter.ids !== undefined,
    claimedBy: filter.claimedBy !== undefined,
    unclaimed: filter.unclaimed === true,
    after: after ? after.length : 0,
    limit: Math.min(Math.max(Math.trunc(limit), 1), 1000),
    presence: filter.presenceSince !== undefined,
  };
  const values: Record<string, unknown> = { reason: filter.reason, ids: filter.ids, claimedBy: filter.claimedBy, presenceSince: filter.presenceSince };
  if (after?.length === 4) Object.assign(values, { due: after[0], priority: after[1], opened: after[2], id: after[3] });
  else if (after) Object.assign(values, { resolved: after[0], id: after[1] });
  if ('rollback' in db || shape.ids) return buildList(db, shape).execute(values);
  let statements = preparedLists.get(db);
  if (!statements) preparedLists.set(db, (statements = new Map()));
  const name = `queue_list_${shape.open === undefined ? 'any' : shape.open ? 'open' : 'resolved'}${shape.reason ? '_reason' : ''}${shape.claimedBy ? '_mine' : ''}${shape.unclaimed ? '_unclaimed' : ''}${shape.after ? '_after' : ''}${shape.presence ? '_presence' : ''}_${shape.limit}`;
  let statement = statements.get(name);
  if (!statement) statements.set(name, (statement = buildList(db, shape).prepare(name)));
  return statement.execute(values);
}

export type QueueListRow = Awaited<ReturnType<typeof listItemRows>>[number];

/** What automatic assignment needs about an item's thread: its team, its author, and the words skills match. */
export async function getAssignmentTarget(db: Executor, threadId: number) {
  const [row] = await db
    .select({
      teamId: teams.id,
      autoAssign: teams.autoAssign,
      authorId: threads.authorId,
      title: threads.title,
      tags: sql<string[]>`array(select tg.slug from thread_tags tt join tags tg on tg.id = tt.tag_id where tt.thread_id = ${threads.id})`,
    })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(teams, eq(teams.id, categories.teamId))
    .where(eq(threads.id, threadId));
  return row;
}

/**
 * The agent who resolved the customer's most recent item, for last-agent routing. The customer
 * is the thread's author and, when they are linked to a CRM contact, every forum account linked
 * to that same contact: a person with two accounts goes back to the agent who knows them.
 */
export async function lastResolverFor(db: Executor, authorId: number): Promise<number | null> {
  const { rows } = await db.execute<{ resolved_by_id: number }>(sql`
    select qi.resolved_by_id from ${queueItems} qi join ${threads} t on t.id = qi.thread_id
    where (t.author_id = ${authorId} or t.author_id in (
        select other.user_id from crm_links mine
        join crm_links other on other.connector = mine.connector and other.contact_id = mine.contact_id and other.status = 'active'
        where mine.user_id = ${authorId} and mine.status = 'active'))
      and qi.status = 'resolved' and qi.resolution in ('agent', 'assisted') and qi.resolved_by_id is not null
    order by qi.resolved_at desc, qi.id desc limit 1`);
  return rows[0] ? Number(rows[0].resolved_by_id) : null;
}

/** Open items nobody holds in the team's categories, most urgent first, locked (skipping ones another transaction holds). */
export async function lockWaitingItemsOfTeam(db: Executor, teamId: number, limit: number): Promise<QueueItemRow[]> {
  return db
    .select({ item: queueItems })
    .from(queueItems)
    .innerJoin(threads, eq(threads.id, queueItems.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(and(ne(queueItems.status, 'resolved'), isNull(queueItems.claimedById), eq(categories.teamId, teamId), sql`${threads.deletedAt} is null`))
    .orderBy(asc(queueItems.dueAt), asc(queueItems.priority), asc(queueItems.openedAt), asc(queueItems.id))
    .limit(limit)
    .for('update', { of: queueItems, skipLocked: true })
    .then((rows) => rows.map((r) => r.item));
}

/** The calendar an item's thread's category runs on now (null: no team, around the clock). */
export async function getCalendarOfThread(db: Executor, threadId: number) {
  const [row] = await db
    .select({ teamId: teams.id, timezone: teams.timezone, hours: teams.hours, holidays: teams.holidays })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(teams, eq(teams.id, categories.teamId))
    .where(eq(threads.id, threadId));
  return row;
}
