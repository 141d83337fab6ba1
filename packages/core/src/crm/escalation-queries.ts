import { and, asc, desc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import type { Executor } from '../db/client.js';
import { posts, threads } from '../forum/schema.js';
import { crmEscalations, crmKnownCases, crmSyncCursors } from './schema.js';

export type EscalationRow = typeof crmEscalations.$inferSelect;

const escalator = alias(users, 'escalator');
const asker = alias(users, 'asker');

/** Escalations with the thread's title and state, the asker and the agent who escalated. */
export async function listEscalationRows(db: Executor, where: { ids?: number[]; threadId?: number; statuses?: EscalationRow['status'][] }, limit: number) {
  const conditions: SQL[] = [];
  if (where.ids) conditions.push(inArray(crmEscalations.id, where.ids));
  if (where.threadId !== undefined) conditions.push(eq(crmEscalations.threadId, where.threadId));
  if (where.statuses) conditions.push(inArray(crmEscalations.status, where.statuses));
  return db
    .select({
      escalation: crmEscalations,
      threadTitle: threads.title,
      threadStatus: threads.status,
      threadKind: threads.kind,
      askerHandle: asker.handle,
      askerName: asker.displayName,
      byId: escalator.id,
      byHandle: escalator.handle,
      byName: escalator.displayName,
      byRole: escalator.role,
    })
    .from(crmEscalations)
    .innerJoin(threads, eq(threads.id, crmEscalations.threadId))
    .leftJoin(asker, eq(asker.id, crmEscalations.userId))
    .leftJoin(escalator, eq(escalator.id, crmEscalations.escalatedById))
    .where(and(...conditions))
    // what needs the agent first: closed cases whose thread still waits for its answer
    .orderBy(
      asc(sql`case when ${crmEscalations.status} = 'closed' and ${crmEscalations.answerPostId} is null and ${threads.status} <> 'closed' then 0 when ${crmEscalations.status} = 'pending_sync' then 1 when ${crmEscalations.status} <> 'closed' then 2 else 3 end`),
      desc(crmEscalations.createdAt),
      desc(crmEscalations.id),
    )
    .limit(limit);
}
export type EscalationListRow = Awaited<ReturnType<typeof listEscalationRows>>[number];

export async function lockEscalation(db: Executor, id: number): Promise<EscalationRow | undefined> {
  const [row] = await db.select().from(crmEscalations).where(eq(crmEscalations.id, id)).for('update');
  return row;
}

export async function lockEscalationOfCase(db: Executor, connector: string, caseId: string): Promise<EscalationRow | undefined> {
  const [row] = await db
    .select()
    .from(crmEscalations)
    .where(and(eq(crmEscalations.connector, connector), eq(crmEscalations.caseId, caseId)))
    .orderBy(desc(crmEscalations.id))
    .limit(1)
    .for('update');
  return row;
}

export async function liveEscalationOf(db: Executor, threadId: number): Promise<EscalationRow | undefined> {
  const [row] = await db
    .select()
    .from(crmEscalations)
    .where(and(eq(crmEscalations.threadId, threadId), ne(crmEscalations.status, 'closed')));
  return row;
}

/** The thread's live posts in order, with their authors, for the case transcript. */
export async function transcriptPosts(db: Executor, threadId: number, limit: number) {
  return db
    .select({ position: posts.position, body: posts.bodyMarkdown, createdAt: posts.createdAt, handle: users.handle, displayName: users.displayName, role: users.role })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .where(and(eq(posts.threadId, threadId), sql`${posts.deletedAt} is null`, sql`${posts.heldAt} is null`))
    .orderBy(asc(posts.position))
    .limit(limit);
}

/** Remembers a case the CRM told us about; the newest state wins. */
export async function upsertKnownCase(
  db: Executor,
  row: { connector: string; caseId: string; contactId: string | null; status: 'open' | 'pending' | 'closed'; openedAt: Date; updatedAt: Date },
): Promise<void> {
  await db
    .insert(crmKnownCases)
    .values(row)
    .onConflictDoUpdate({
      target: [crmKnownCases.connector, crmKnownCases.caseId],
      set: {
        status: sql`case when excluded.updated_at >= ${crmKnownCases.updatedAt} then excluded.status else ${crmKnownCases.status} end`,
        contactId: sql`coalesce(excluded.contact_id, ${crmKnownCases.contactId})`,
        updatedAt: sql`greatest(excluded.updated_at, ${crmKnownCases.updatedAt})`,
        openedAt: sql`least(excluded.opened_at, ${crmKnownCases.openedAt})`,
      },
    });
}

export async function lockCursor(db: Executor, connector: string) {
  const [row] = await db.select().from(crmSyncCursors).where(eq(crmSyncCursors.connector, connector)).for('update');
  return row;
}

export async function saveCursor(db: Executor, connector: string, cursorAt: Date, cursorCaseId: string, polledAt: Date): Promise<void> {
  await db
    .insert(crmSyncCursors)
    .values({ connector, cursorAt, cursorCaseId, polledAt })
    .onConflictDoUpdate({ target: crmSyncCursors.connector, set: { cursorAt, cursorCaseId, polledAt } });
}
