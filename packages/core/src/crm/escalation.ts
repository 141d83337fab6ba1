import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { within, type Actor, type Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { enqueueJob, hasPendingJob, type JobHandlers, type JobPayload } from '../events/jobs.js';
import { users } from '../accounts/schema.js';
import { presentUserRef } from '../forum/present.js';
import { threads } from '../forum/schema.js';
import * as forum from '../forum/service.js';
import type { UserRef } from '../forum/types.js';
import { authorize } from '../policy/index.js';
import { assertNotClaimedByOther } from '../queue/activity.js';
import * as queueQueries from '../queue/queries.js';
import { resolveOpenItemOf } from '../queue/service.js';
import * as esq from './escalation-queries.js';
import * as lq from './link-queries.js';
import { directoryConnector } from './directory.js';
import { crmEscalations } from './schema.js';
import { scrubPersonalData } from './scrub.js';
import { crmConnector } from './service.js';
import type { CrmCaseStatus, CrmCaseUpdate } from './types.js';

// Handing a thread to support as a CRM case. The agent escalates from a queue item; the forum
// records the escalation at once (status pending_sync) and a background job creates the case
// with an idempotency key, retrying with backoff while the CRM is away, so a case is created
// exactly once however often the job runs. Case changes come back by signed webhook or by
// polling, through one handler (applyCaseUpdate). When the case closes, the agent gets a public
// answer drafted from the resolution with personal data removed, to edit and approve.
//
// The public thread learns only that support took it over and when support resolved it
// (threads.support_since / support_resolved_at); the case, its id and its resolution stay here.

export const ESCALATION_JOBS = { createCase: 'crm.create_case', poll: 'crm.poll' } as const;
export const ESCALATION_LIMITS = { noteMax: 2_000, transcriptPosts: 200, transcriptMax: 32_000, subjectMax: 255, listMax: 100 } as const;

const QUEUE = 'queue';
/** Backoff between case-creation attempts: 10 s, 20 s, 40 s … capped at 10 minutes. */
const backoffMs = (attempts: number) => Math.min(10_000 * 2 ** Math.max(attempts - 1, 0), 10 * 60_000);

export type EscalationStatus = 'pending_sync' | 'open' | 'pending' | 'closed';

/** An escalation as the console shows it (staff only: it carries the case id and resolution). */
export interface Escalation {
  id: number;
  threadId: number;
  threadTitle: string;
  threadStatus: string;
  itemId: number | null;
  asker: { handle: string; displayName: string } | null;
  connector: string;
  contactId: string | null;
  caseId: string | null;
  status: EscalationStatus;
  subject: string;
  resolution: string | null;
  /** the public answer drafted when the case closed, until the agent publishes one */
  draftAnswer: string | null;
  answerPostId: number | null;
  /** the case closed and the thread still waits for its answer or to be closed */
  needsAction: boolean;
  attempts: number;
  lastError: string | null;
  escalatedBy: UserRef | null;
  createdAt: string;
  syncedAt: string | null;
  closedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function present(row: esq.EscalationListRow): Escalation {
  const e = row.escalation;
  return {
    id: e.id,
    threadId: e.threadId,
    threadTitle: row.threadTitle,
    threadStatus: row.threadStatus,
    itemId: e.itemId,
    asker: row.askerHandle ? { handle: row.askerHandle, displayName: row.askerName ?? row.askerHandle } : null,
    connector: e.connector,
    contactId: e.contactId,
    caseId: e.caseId,
    status: e.status,
    subject: e.subject,
    resolution: e.resolution,
    draftAnswer: e.answerPostId ? null : e.draftAnswer,
    answerPostId: e.answerPostId,
    needsAction: e.status === 'closed' && e.answerPostId === null && row.threadStatus !== 'closed',
    attempts: e.attempts,
    lastError: e.lastError,
    escalatedBy: row.byId ? presentUserRef(row.byId, row.byHandle!, row.byName!, row.byRole!) : null,
    createdAt: e.createdAt.toISOString(),
    syncedAt: iso(e.syncedAt),
    closedAt: iso(e.closedAt),
  };
}

async function escalationById(db: Executor, id: number): Promise<Escalation> {
  const [row] = await esq.listEscalationRows(db, { ids: [id] }, 1);
  if (!row) throw new NotFound('Escalation', 'escalation_not_found');
  return present(row);
}

async function emitChanged(tx: Executor, id: number, change: string): Promise<Escalation> {
  const escalation = await escalationById(tx, id);
  await appendEvent(tx, 'crm.escalation.changed', [QUEUE], { threadId: escalation.threadId, escalation, change }, { escalationId: id, threadId: escalation.threadId });
  return escalation;
}

/** Marks the public thread as with support (since `since`) or resolved by support. */
async function setThreadSupport(tx: Executor, threadId: number, change: { since?: Date; resolvedAt: Date | null }): Promise<void> {
  await tx
    .update(threads)
    .set({ ...(change.since ? { supportSince: change.since } : {}), supportResolvedAt: change.resolvedAt })
    .where(eq(threads.id, threadId));
  await forum.emitThreadUpdated(tx, threadId);
}


function forumLink(ctx: Ctx, threadId: number): string {
  return `${(ctx.config.crm.forumUrl ?? 'http://localhost:3000').replace(/\/+$/, '')}/t/${threadId}`;
}

/** The case's description: who escalated and why, a link back, and the thread as its readers saw it. */
async function buildTranscript(ctx: Ctx, tx: Executor, thread: { id: number; title: string }, actor: Actor, note: string | null, at: Date): Promise<string> {
  const rows = await esq.transcriptPosts(tx, thread.id, ESCALATION_LIMITS.transcriptPosts);
  const head = [
    `Escalated from the community forum by ${actor.displayName} (@${actor.handle}) on ${at.toISOString()}.`,
    `Thread: ${thread.title}`,
    `Link: ${forumLink(ctx, thread.id)}`,
    ...(note ? ['', `Agent's note: ${note}`] : []),
    '',
    'Transcript:',
  ].join('\n');
  let body = '';
  for (const p of rows) {
    const who = `${p.displayName} (@${p.handle}${p.role === 'member' ? '' : `, ${p.role}`})`;
    const entry = `\n--- #${p.position} ${who}, ${p.createdAt.toISOString()}\n${p.body.trim()}\n`;
    if (head.length + body.length + entry.length > ESCALATION_LIMITS.transcriptMax) {
      body += `\n[… the thread continues at ${forumLink(ctx, thread.id)}]\n`;
      break;
    }
    body += entry;
  }
  return head + body;
}

/**
 * Hands a queue item's thread to support as a CRM case (staff). The asker must be linked to a
 * contact of the configured CRM (Conflict not_linked otherwise). The escalation is recorded at
 * once as pending_sync and the item resolves (the agent's part is done); the case itself is
 * created by the crm.create_case job. Conflict already_resolved for a resolved item,
 * claimed_by_other while another agent holds it, already_escalated while the thread has a live
 * case. Audited as crm.thread_escalated; the public thread shows that support took it over.
 */
export async function escalateItem(ctx: Ctx, itemId: number, input: { note?: string | null } = {}): Promise<Escalation> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const note = input.note?.trim() || null;
  if (note && note.length > ESCALATION_LIMITS.noteMax) throw new Invalid({ note: `must be at most ${ESCALATION_LIMITS.noteMax} characters` });
  const connector = crmConnector(ctx).name;
  const now = ctx.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const item = await queueQueries.lockItem(tx, itemId);
      if (!item) throw new NotFound('Queue item', 'queue_item_not_found');
      if (item.status === 'resolved') throw new Conflict('already_resolved', 'This item is already resolved');
      await assertNotClaimedByOther(tx, actor, item.threadId);
      const [thread] = await tx.select({ id: threads.id, title: threads.title, authorId: threads.authorId }).from(threads).where(eq(threads.id, item.threadId)).for('update');
      if (await esq.liveEscalationOf(tx, thread.id)) throw new Conflict('already_escalated', 'Support already has a case open for this thread');
      const link = await lq.getActiveLink(tx, thread.authorId, connector);
      if (!link) throw new Conflict('not_linked', 'Link the asker to a CRM contact before escalating: the case needs a contact');
      const description = await buildTranscript(ctx, tx, thread, actor, note, now);
      const [row] = await tx
        .insert(crmEscalations)
        .values({
          threadId: thread.id,
          itemId,
          userId: thread.authorId,
          connector,
          contactId: link.contactId,
          idempotencyKey: `forum-case-${randomUUID()}`,
          subject: thread.title.slice(0, ESCALATION_LIMITS.subjectMax),
          escalatedById: actor.id,
          createdAt: now,
        })
        .returning({ id: crmEscalations.id });
      await enqueueJob(tx, ESCALATION_JOBS.createCase, { escalationId: row.id, description });
      await resolveOpenItemOf(tx, actor, thread.id, 'agent', now);
      await setThreadSupport(tx, thread.id, { since: now, resolvedAt: null });
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'crm.thread_escalated',
        subjectType: 'thread',
        subjectId: thread.id,
        reason: note,
        data: { escalationId: row.id, itemId, connector, contactId: link.contactId, before: { status: item.status }, after: { status: 'resolved', escalation: 'pending_sync' } },
        at: now,
      });
      return emitChanged(tx, row.id, 'escalated');
    });
  } catch (error) {
    // two agents escalating at once: the partial unique index lets one through
    if ((error as { code?: string }).code === '23505') throw new Conflict('already_escalated', 'Support already has a case open for this thread');
    throw error;
  }
}

/**
 * The crm.create_case job: creates the escalation's case in the CRM with its idempotency key.
 * When the CRM fails, the attempt is recorded (the console shows "pending sync" and the error)
 * and the job schedules itself again with backoff; it never throws, so the record of the
 * attempt commits. A case created whose reply was lost is found again by the same key.
 */
async function createCaseJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  const id = Number(payload.escalationId);
  const escalation = await esq.lockEscalation(ctx.db, id);
  if (!escalation || escalation.status !== 'pending_sync' || !escalation.contactId) return;
  const now = ctx.now();
  const attempts = escalation.attempts + 1;
  try {
    const created = await crmConnector(ctx).createCase({
      contactId: escalation.contactId,
      subject: escalation.subject,
      description: String(payload.description ?? ''),
      idempotencyKey: escalation.idempotencyKey,
    });
    await ctx.db
      .update(crmEscalations)
      .set({ caseId: created.id, status: created.status, attempts, lastError: null, syncedAt: now, caseUpdatedAt: new Date(created.updatedAt), resolution: created.resolution })
      .where(eq(crmEscalations.id, id));
    await esq.upsertKnownCase(ctx.db, {
      connector: escalation.connector,
      caseId: created.id,
      contactId: escalation.contactId,
      status: created.status,
      openedAt: new Date(created.createdAt),
      updatedAt: new Date(created.updatedAt),
    });
    await emitChanged(ctx.db, id, 'synced');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await ctx.db.update(crmEscalations).set({ attempts, lastError: message.slice(0, 500) }).where(eq(crmEscalations.id, id));
    // past the retry window the CRM has been away for a day: keep trying, hourly
    const late = now.getTime() - escalation.createdAt.getTime() > ctx.config.crm.retryForMinutes * 60_000;
    await enqueueJob(ctx.db, ESCALATION_JOBS.createCase, payload, new Date(now.getTime() + (late ? 3_600_000 : backoffMs(attempts))));
    await emitChanged(ctx.db, id, 'sync_failed');
  }
}

/** Words that identify the asker, for the scrubber: forum names and, when the CRM answers, the contact's. */
async function identifyingNames(ctx: Ctx, escalation: esq.EscalationRow): Promise<string[]> {
  const names: string[] = [];
  if (escalation.userId) {
    const [member] = await ctx.db.select({ handle: users.handle, displayName: users.displayName }).from(users).where(eq(users.id, escalation.userId));
    if (member) names.push(member.handle, member.displayName, ...member.displayName.split(/\s+/));
  }
  if (escalation.contactId) {
    const contact = await crmConnector(ctx)
      .getContact(escalation.contactId)
      .catch(() => null);
    if (contact) names.push(...[contact.firstName, contact.lastName, contact.account?.name].filter((n): n is string => !!n));
    if (contact?.firstName && contact.lastName) names.push(`${contact.firstName} ${contact.lastName}`);
  }
  return names;
}

function draftFrom(resolution: string | null, names: string[]): string {
  const text = resolution?.trim();
  if (!text) return 'Our support team has resolved this. If anything is still not working for you, reply here and we will pick it up again.';
  return `Our support team looked into this and resolved it:\n\n${scrubPersonalData(text, { names })}\n\nIf anything is still not working for you, reply here and we will pick it up again.`;
}

export type UpdateOutcome = 'applied' | 'stale' | 'unknown_case';

/**
 * Applies one case change from the CRM (webhook or poll) inside the caller's transaction.
 * Remembers the case for the self-service rate; an update older than the last one applied
 * changes nothing. On close: the public thread shows support resolved it, and the agent gets a
 * drafted public answer. A case reopened in the CRM puts the thread back with support.
 */
export async function applyCaseUpdate(ctx: Ctx, update: CrmCaseUpdate): Promise<UpdateOutcome> {
  const updatedAt = new Date(update.updatedAt);
  await esq.upsertKnownCase(ctx.db, {
    connector: update.connector,
    caseId: update.caseId,
    contactId: update.contactId,
    status: update.status,
    openedAt: new Date(update.createdAt),
    updatedAt,
  });
  const escalation = await esq.lockEscalationOfCase(ctx.db, update.connector, update.caseId);
  if (!escalation) return 'unknown_case';
  if (escalation.caseUpdatedAt && updatedAt <= escalation.caseUpdatedAt) return 'stale';
  const now = ctx.now();
  const closing = update.status === 'closed' && escalation.status !== 'closed';
  const reopening = update.status !== 'closed' && escalation.status === 'closed';
  const draft = closing ? draftFrom(update.resolution, await identifyingNames(ctx, escalation)) : escalation.draftAnswer;
  await ctx.db
    .update(crmEscalations)
    .set({
      status: update.status as CrmCaseStatus,
      resolution: update.resolution,
      caseUpdatedAt: updatedAt,
      closedAt: closing ? now : reopening ? null : escalation.closedAt,
      draftAnswer: draft,
    })
    .where(eq(crmEscalations.id, escalation.id));
  if (closing) await setThreadSupport(ctx.db, escalation.threadId, { resolvedAt: now });
  if (reopening) await setThreadSupport(ctx.db, escalation.threadId, { resolvedAt: null });
  await emitChanged(ctx.db, escalation.id, closing ? 'case_closed' : reopening ? 'case_reopened' : 'case_updated');
  return 'applied';
}

/**
 * The crm.poll job: reads case changes since the last poll and applies them, then schedules the
 * next poll. The cursor is the newest change time read; each poll re-reads from just before it,
 * because several changes can share a time and applying one twice changes nothing.
 */
async function pollJob(ctx: Ctx): Promise<void> {
  const connector = crmConnector(ctx);
  const now = ctx.now();
  const cursor = await esq.lockCursor(ctx.db, connector.name);
  // the first poll reads a month back, so the self-service rate knows recent cases from the start
  let since = cursor ? cursor.cursorAt : new Date(now.getTime() - 30 * 24 * 3_600_000);
  let lastId = cursor?.cursorCaseId ?? '';
  try {
    for (let page = 0; page < 20; page++) {
      const updates = await connector.caseUpdatesSince(new Date(since.getTime() - 1), { limit: 500 });
      for (const update of updates) await applyCaseUpdate(ctx, update);
      const newest = updates.at(-1);
      if (!newest || new Date(newest.updatedAt) <= since) break;
      since = new Date(newest.updatedAt);
      lastId = newest.caseId;
      if (updates.length < 500) break;
    }
  } catch {
    // the CRM is away: the next poll reads from the same cursor
  }
  await esq.saveCursor(ctx.db, connector.name, since, lastId, now);
  await schedulePoll(ctx.db, ctx, now, true);
}

async function schedulePoll(db: Executor, ctx: Pick<Ctx, 'config'>, now: Date, running = false): Promise<void> {
  // the running poll's own row is still there until its transaction ends: look past it
  if (await hasPendingJob(db, ESCALATION_JOBS.poll, running ? now : undefined)) return;
  await enqueueJob(db, ESCALATION_JOBS.poll, {}, new Date(now.getTime() + ctx.config.crm.pollSeconds * 1_000));
}

/** Starts the polling chain unless a poll is waiting (run at start-up; idempotent). */
export async function ensureCrmPollScheduled(db: Executor, config: Ctx['config'], now: Date): Promise<void> {
  await schedulePoll(db, { config }, now);
}

export const escalationJobHandlers: JobHandlers = {
  [ESCALATION_JOBS.createCase]: createCaseJob,
  [ESCALATION_JOBS.poll]: pollJob,
};

/** Escalations for the console's cases page: the ones needing the agent first (staff). */
export async function listEscalations(ctx: Ctx, input: { status?: EscalationStatus; limit?: number } = {}): Promise<Escalation[]> {
  authorize(ctx.actor, 'queue.work', null);
  const limit = Math.min(Math.max(input.limit ?? 50, 1), ESCALATION_LIMITS.listMax);
  const rows = await esq.listEscalationRows(ctx.db, input.status ? { statuses: [input.status] } : {}, limit);
  return rows.map(present);
}

/** A thread's escalations, newest first (staff). */
export async function threadEscalations(ctx: Ctx, threadId: number): Promise<Escalation[]> {
  authorize(ctx.actor, 'queue.work', null);
  const rows = await esq.listEscalationRows(ctx.db, { threadId }, ESCALATION_LIMITS.listMax);
  return rows.map(present).sort((a, b) => b.id - a.id);
}

async function lockClosed(tx: Executor, id: number) {
  const escalation = await esq.lockEscalation(tx, id);
  if (!escalation) throw new NotFound('Escalation', 'escalation_not_found');
  if (escalation.status !== 'closed') throw new Conflict('case_not_closed', 'The case is still open in the CRM; answer the thread once support closes it');
  if (escalation.answerPostId) throw new Conflict('already_answered', 'This case already has its public answer');
  return escalation;
}

/**
 * Publishes the agent's edited answer to a closed case's thread as a staff reply and, on a
 * question, accepts it: the thread is solved (staff). Invalid body; NotFound; Conflict
 * case_not_closed / already_answered; the forum's own rules apply (a closed thread takes no
 * replies). Audited as crm.case_answer_published.
 */
export async function publishCaseAnswer(ctx: Ctx, id: number, input: { body: string }): Promise<Escalation> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const body = input.body ?? '';
  if (!body.trim()) throw new Invalid({ body: 'must not be empty' });
  if (body.length > forum.LIMITS.bodyMax) throw new Invalid({ body: `must be at most ${forum.LIMITS.bodyMax} characters` });
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const escalation = await lockClosed(tx, id);
    const scoped = within(ctx, tx, actor);
    const post = await forum.createReply(scoped, escalation.threadId, { body });
    const [thread] = await tx.select({ kind: threads.kind }).from(threads).where(eq(threads.id, escalation.threadId));
    if (thread?.kind === 'question') await forum.acceptAnswer(scoped, escalation.threadId, post.id);
    await tx.update(crmEscalations).set({ answerPostId: post.id }).where(eq(crmEscalations.id, id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crm.case_answer_published',
      subjectType: 'thread',
      subjectId: escalation.threadId,
      data: { escalationId: id, caseId: escalation.caseId, postId: post.id, edited: body.trim() !== (escalation.draftAnswer ?? '').trim(), before: { answerPostId: null }, after: { answerPostId: post.id } },
      at: now,
    });
    return emitChanged(tx, id, 'answered');
  });
}

/**
 * Closes a closed case's thread without a public answer, for when there is nothing the community
 * should read (staff). NotFound; Conflict case_not_closed / already_answered; Conflict
 * thread_closed when it is closed already. Audited as crm.case_thread_closed with the reason.
 */
export async function closeCaseThread(ctx: Ctx, id: number, input: { reason?: string | null } = {}): Promise<Escalation> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > ESCALATION_LIMITS.noteMax) throw new Invalid({ reason: `must be at most ${ESCALATION_LIMITS.noteMax} characters` });
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const escalation = await lockClosed(tx, id);
    await forum.closeThread(within(ctx, tx, actor), escalation.threadId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crm.case_thread_closed',
      subjectType: 'thread',
      subjectId: escalation.threadId,
      reason,
      data: { escalationId: id, caseId: escalation.caseId, before: { threadStatus: 'open' }, after: { threadStatus: 'closed' } },
      at: now,
    });
    return emitChanged(tx, id, 'thread_closed');
  });
}

/**
 * Support's side when the built-in directory is the CRM: staff change a case's status (and write
 * the resolution when closing it) in the directory, and the change applies to its escalation at
 * once, as a webhook would. Conflict not_directory when another CRM is configured (change cases
 * there); NotFound crm_case_not_found; Invalid resolution. Audited as crm.case_updated.
 */
export async function updateDirectoryCase(ctx: Ctx, caseId: string, input: { status: CrmCaseStatus; resolution?: string | null }): Promise<Escalation | null> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  if (crmConnector(ctx).name !== 'directory') throw new Conflict('not_directory', 'Cases live in the configured CRM; change them there');
  const resolution = input.resolution?.trim() || null;
  if (resolution && resolution.length > 20_000) throw new Invalid({ resolution: 'must be at most 20000 characters' });
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const scoped = within(ctx, tx);
    const before = await crmConnector(scoped).getCase(caseId);
    if (!before) throw new NotFound('CRM case', 'crm_case_not_found');
    const after = await directoryConnector(scoped.db, ctx.now).updateCase(caseId, { status: input.status, resolution });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crm.case_updated',
      subjectType: 'crm_case',
      subjectId: Number(caseId),
      data: { before: { status: before.status }, after: { status: after!.status, resolution: after!.resolution } },
      at: now,
    });
    await applyCaseUpdate(scoped, { connector: 'directory', caseId, contactId: after!.contactId, createdAt: after!.createdAt, status: after!.status, resolution: after!.resolution, updatedAt: after!.updatedAt, eventId: null });
    const escalation = await esq.lockEscalationOfCase(tx, 'directory', caseId);
    return escalation ? escalationById(tx, escalation.id) : null;
  });
}
