import type { Actor, Ctx } from '../context.js';
import { isStaff, within } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Forbidden, Invalid, NotFound, Unauthenticated } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { renderMarkdown } from '../forum/markdown.js';
import * as forum from '../forum/service.js';
import type { Post } from '../forum/types.js';
import { notifyFromStaff, userRoom } from '../notifications/service.js';
import { authorize, can } from '../policy/index.js';
import { assertNotClaimedByOther, requireQueueOrReason, touchAgentActivity } from '../queue/activity.js';
import { presentQueueItem } from '../queue/present.js';
import * as queueQueries from '../queue/queries.js';
import { resolveOpenItemOf } from '../queue/service.js';
import { recordStaffVerification } from '../reputation/service.js';
import { presentCanned, presentConversation, presentConversationSummary, presentCsat, presentDraft, presentNote, presentRef } from './present.js';
import * as q from './queries.js';
import type {
  CannedResponse,
  CsatPrompt,
  CsatResponse,
  ItemPost,
  ItemView,
  PrivateConversation,
  PrivateConversationSummary,
  StaffDraft,
  StaffNote,
  StaffReplyResult,
  ThreadExpert,
} from './types.js';
import { CANNED_VARIABLES, fillVariables, unknownVariables } from './variables.js';

// The agent's workflow on a thread: the item page, staff replies (published, or drafts a
// supervisor approves), canned responses, internal notes, assisting a peer instead of answering,
// taking a thread private, and the asker's CSAT. Every state change by staff writes one audit
// row and tells the consoles (the staff-only `queue` room) in the same transaction.

export const STAFFWORK_LIMITS = {
  noteMax: 5_000,
  cannedTitleMax: 120,
  cannedBodyMax: 5_000,
  messageMax: 5_000,
  reviewNoteMax: 1_000,
  nudgeNoteMax: 500,
  csatCommentMax: 1_000,
} as const;

const QUEUE = 'queue';

/** Tells every open console that something on a thread's item page changed. */
async function emitItemChanged(tx: Executor, threadId: number, itemId: number | null, change: string) {
  await appendEvent(tx, 'staffwork.item.changed', [QUEUE], { threadId, itemId, change });
}

function text(value: string | null | undefined, field: string, max: number, options: { required?: boolean } = {}): string | null {
  const clean = value?.trim() ?? '';
  if (!clean) {
    if (options.required) throw new Invalid({ [field]: 'must not be empty' });
    return null;
  }
  if (clean.length > max) throw new Invalid({ [field]: `must be at most ${max} characters` });
  return clean;
}

function requireSupervisor(actor: Actor, action: 'canned.manage' | 'draft.review', what: string): void {
  if (!can(actor, action, null)) throw new Forbidden(`Only supervisors and admins can ${what}`);
}

async function lockThread(tx: Executor, threadId: number): Promise<q.ThreadFacts> {
  const thread = await q.lockThreadFacts(tx, threadId);
  if (!thread) throw new NotFound('Thread', 'thread_not_found');
  return thread;
}

/** Services written for a Ctx, run inside the caller's transaction (a savepoint in theirs). */

// ---------------------------------------------------------------------------------------------
// The item page

/** Every post of a thread as staff see it (held and hidden included), page after page. */
async function allPosts(ctx: Ctx, threadId: number) {
  const posts: Post[] = [];
  let cursor: string | undefined;
  let thread;
  do {
    const page = await forum.getThread(ctx, threadId, { limit: forum.LIMITS.pageMax, cursor });
    thread = page.thread;
    posts.push(...page.posts);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { thread, posts };
}

/**
 * The console's item page (staff; Forbidden otherwise): the item, its thread with every post
 * (held and hidden ones marked), whether its category holds agents' replies for approval,
 * internal notes, drafts waiting or returned, the asker's profile summary, private
 * conversations, nudges and the CSAT given. NotFound for an unknown item.
 */
export async function getItemView(ctx: Ctx, itemId: number): Promise<ItemView> {
  authorize(ctx.actor, 'queue.work', null);
  const ref = await q.getItemRef(ctx.db, itemId);
  if (!ref) throw new NotFound('Queue item', 'queue_item_not_found');
  const [itemRow] = await queueQueries.listItemRows(ctx.db, { open: ref.status !== 'resolved', ids: [itemId] }, 1);
  if (!itemRow) throw new NotFound('Queue item', 'queue_item_not_found');
  const { thread, posts } = await allPosts(ctx, ref.threadId);
  const [notes, drafts, asker, priorItems, conversations, csat, nudges] = await Promise.all([
    q.listNoteRows(ctx.db, { threadId: ref.threadId }),
    q.listDraftRows(ctx.db, { threadId: ref.threadId, statuses: ['pending', 'returned'] }, 50),
    q.getAskerRow(ctx.db, thread.author.id, ref.threadId),
    q.listPriorItems(ctx.db, thread.author.id, ref.threadId, 10),
    q.listConversationRows(ctx.db, { threadId: ref.threadId }),
    q.getCsatOfItem(ctx.db, itemId),
    q.listNudgeRows(ctx.db, ref.threadId),
  ]);
  const experts = new Map((await q.getUserRefs(ctx.db, nudges.map((n) => Number((n.data as { expertId?: number }).expertId)).filter(Boolean))).map((u) => [u.id, u]));
  const isPeerAnswer = (p: Post) => p.position > 1 && !p.deleted && p.author.role === 'member' && p.author.id !== thread.author.id;
  return {
    item: presentQueueItem(itemRow, ctx.now()),
    thread,
    replyApproval: ref.replyApproval,
    posts: posts.map((p): ItemPost => ({ ...p, peerAnswer: isPeerAnswer(p) })),
    notes: notes.map(presentNote),
    drafts: drafts.map(presentDraft),
    asker: {
      user: presentRef(asker!),
      joinedAt: asker!.createdAt.toISOString(),
      trustLevel: asker!.trustLevel,
      reputation: asker!.reputation,
      priorThreads: asker!.priorThreads,
      priorItems: priorItems.map((i) => ({ ...i, openedAt: i.openedAt.toISOString() })),
    },
    conversations: conversations.map(presentConversationSummary),
    csat: csat ? presentCsat(csat) : null,
    nudges: nudges.flatMap((n) => {
      const expert = experts.get(Number((n.data as { expertId?: number }).expertId));
      return expert ? [{ expert: presentRef(expert), by: presentRef(n.by), note: n.reason, at: n.at.toISOString() }] : [];
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Staff replies and drafts

async function draftById(db: Executor, id: number): Promise<StaffDraft> {
  const [row] = await q.listDraftRows(db, { ids: [id] }, 1);
  if (!row) throw new NotFound('Draft', 'draft_not_found');
  return presentDraft(row);
}

function checkReplyBody(body: string): string {
  if (!body.trim()) throw new Invalid({ body: 'must not be empty' });
  if (body.length > forum.LIMITS.bodyMax) throw new Invalid({ body: `must be at most ${forum.LIMITS.bodyMax} characters` });
  return body;
}

/**
 * Replies to a thread as staff from the console (staff only). Refuses with Conflict
 * claimed_by_other while another agent holds the thread's item, and needs a reason when the
 * thread is not in the queue (Invalid). In a category with reply approval, an agent's reply
 * becomes a pending draft for a supervisor instead (draft.submitted); otherwise it is posted
 * through the forum's reply path, so it shows as staff and starts the queue's first-response
 * clock (thread.staff_replied). Touches the item's agent activity. NotFound for an unknown
 * thread or canned response.
 */
export async function staffReply(ctx: Ctx, threadId: number, input: { body: string; cannedResponseId?: number | null; reason?: string | null }): Promise<StaffReplyResult> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const body = checkReplyBody(input.body);
  const reason = text(input.reason, 'reason', 500);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    const claimed = await assertNotClaimedByOther(tx, actor, threadId);
    const item = claimed ?? (await requireQueueOrReason(tx, threadId, reason));
    if (input.cannedResponseId && !(await q.getCannedRow(tx, input.cannedResponseId))) throw new NotFound('Canned response', 'canned_response_not_found');
    if (item) await touchAgentActivity(tx, item.id, now);
    const data = { itemId: item?.id ?? null, cannedResponseId: input.cannedResponseId ?? null };

    if (!can(actor, 'draft.skip', { replyApproval: thread.replyApproval })) {
      const draftId = await q.insertDraft(tx, { threadId, itemId: item?.id ?? null, authorId: actor.id, body, createdAt: now });
      await recordAudit(tx, { actorId: actor.id, action: 'draft.submitted', subjectType: 'staff_draft', subjectId: draftId, reason, data: { ...data, threadId, before: null, after: { status: 'pending' } }, at: now });
      await emitItemChanged(tx, threadId, item?.id ?? null, 'draft');
      return { published: false, post: null, draft: await draftById(tx, draftId) };
    }

    const post = await forum.createReply(within(ctx, tx), threadId, { body });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'thread.staff_replied',
      subjectType: 'thread',
      subjectId: threadId,
      reason,
      data: { ...data, postId: post.id, before: { threadStatus: thread.status }, after: { postId: post.id } },
      at: now,
    });
    await emitItemChanged(tx, threadId, item?.id ?? null, 'reply');
    return { published: true, post, draft: null };
  });
}

/** Drafts for supervisors (pending by default, newest first). Forbidden for agents. */
export async function listDrafts(ctx: Ctx, input: { status?: 'pending' | 'approved' | 'returned'; limit?: number; before?: number } = {}): Promise<{ drafts: StaffDraft[] }> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  requireSupervisor(actor, 'draft.review', 'review drafts');
  const limit = Math.min(Math.max(input.limit ?? forum.LIMITS.pageDefault, 1), forum.LIMITS.pageMax);
  const rows = await q.listDraftRows(ctx.db, { statuses: [input.status ?? 'pending'], beforeId: input.before }, limit);
  return { drafts: rows.map(presentDraft) };
}

async function lockPendingDraft(tx: Executor, id: number) {
  const draft = await q.lockDraft(tx, id);
  if (!draft) throw new NotFound('Draft', 'draft_not_found');
  if (draft.status !== 'pending') throw new Conflict('draft_not_pending', `This draft was already ${draft.status}`);
  return draft;
}

/**
 * A supervisor approves a pending draft: the reply is published as its agent, through the
 * forum's reply path. Forbidden for agents, NotFound, Conflict draft_not_pending when it was
 * already approved or returned. Audited as draft.approved.
 */
export async function approveDraft(ctx: Ctx, id: number): Promise<StaffDraft> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  requireSupervisor(actor, 'draft.review', 'approve drafts');
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const draft = await lockPendingDraft(tx, id);
    const agentRow = await q.getActorRow(tx, draft.authorId);
    if (!agentRow) throw new NotFound('Draft', 'draft_not_found');
    const agent: Actor = { ...agentRow, silenced: agentRow.silencedUntil !== null && agentRow.silencedUntil > now };
    const post = await forum.createReply(within(ctx, tx, agent), draft.threadId, { body: draft.body });
    await q.updateDraft(tx, id, { status: 'approved', reviewerId: actor.id, reviewedAt: now, postId: post.id });
    const open = await queueQueries.lockOpenItem(tx, draft.threadId);
    if (open) await touchAgentActivity(tx, open.id, now);
    await recordAudit(tx, { actorId: actor.id, action: 'draft.approved', subjectType: 'staff_draft', subjectId: id, data: { threadId: draft.threadId, postId: post.id, agentId: draft.authorId, before: { status: 'pending' }, after: { status: 'approved' } }, at: now });
    await emitItemChanged(tx, draft.threadId, draft.itemId, 'draft');
    return draftById(tx, id);
  });
}

/**
 * A supervisor returns a pending draft to its agent with a note (required, at most 1000
 * characters); the agent sees it on the item page and may edit and resubmit. Forbidden for
 * agents, NotFound, Conflict draft_not_pending. Audited as draft.returned.
 */
export async function returnDraft(ctx: Ctx, id: number, input: { note: string }): Promise<StaffDraft> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  requireSupervisor(actor, 'draft.review', 'return drafts');
  const note = text(input.note, 'note', STAFFWORK_LIMITS.reviewNoteMax, { required: true })!;
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const draft = await lockPendingDraft(tx, id);
    await q.updateDraft(tx, id, { status: 'returned', reviewerId: actor.id, reviewedAt: now, reviewNote: note });
    await recordAudit(tx, { actorId: actor.id, action: 'draft.returned', subjectType: 'staff_draft', subjectId: id, reason: note, data: { threadId: draft.threadId, agentId: draft.authorId, before: { status: 'pending' }, after: { status: 'returned' } }, at: now });
    await emitItemChanged(tx, draft.threadId, draft.itemId, 'draft');
    return draftById(tx, id);
  });
}

/**
 * The draft's agent edits a returned draft and sends it back for approval. Forbidden for anyone
 * else, NotFound, Conflict draft_not_returned unless it was returned. Audited as draft.resubmitted.
 */
export async function resubmitDraft(ctx: Ctx, id: number, input: { body: string }): Promise<StaffDraft> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const body = checkReplyBody(input.body);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const draft = await q.lockDraft(tx, id);
    if (!draft) throw new NotFound('Draft', 'draft_not_found');
    if (draft.authorId !== actor.id) throw new Forbidden('Only the agent who wrote this draft can resubmit it');
    if (draft.status !== 'returned') throw new Conflict('draft_not_returned', `This draft is ${draft.status}; only a returned draft can be resubmitted`);
    await q.updateDraft(tx, id, { status: 'pending', body, createdAt: now });
    const open = await queueQueries.lockOpenItem(tx, draft.threadId);
    if (open) await touchAgentActivity(tx, open.id, now);
    await recordAudit(tx, { actorId: actor.id, action: 'draft.resubmitted', subjectType: 'staff_draft', subjectId: id, data: { threadId: draft.threadId, before: { status: 'returned' }, after: { status: 'pending' } }, at: now });
    await emitItemChanged(tx, draft.threadId, draft.itemId, 'draft');
    return draftById(tx, id);
  });
}

// ---------------------------------------------------------------------------------------------
// Canned responses

function checkCanned(input: { title: string; body: string }) {
  const title = text(input.title, 'title', STAFFWORK_LIMITS.cannedTitleMax, { required: true })!;
  const body = text(input.body, 'body', STAFFWORK_LIMITS.cannedBodyMax, { required: true })!;
  const unknown = unknownVariables(body);
  if (unknown.length) {
    throw new Invalid({ body: `unknown variable ${unknown.map((v) => `{${v}}`).join(', ')}; use ${CANNED_VARIABLES.map((v) => `{${v}}`).join(', ')}` });
  }
  return { title, body };
}

async function cannedById(db: Executor, id: number): Promise<CannedResponse> {
  const row = await q.getCannedRow(db, id);
  if (!row) throw new NotFound('Canned response', 'canned_response_not_found');
  return presentCanned(row);
}

/** Canned responses by title (staff). */
export async function listCanned(ctx: Ctx): Promise<CannedResponse[]> {
  authorize(ctx.actor, 'queue.work', null);
  return (await q.listCannedRows(ctx.db)).map(presentCanned);
}

/**
 * Adds a canned response (supervisors and admins; Forbidden for agents). Title ≤ 120 and body ≤
 * 5000 characters; a variable we do not know is Invalid, naming it. Audited as canned_response.created.
 */
export async function createCanned(ctx: Ctx, input: { title: string; body: string }): Promise<CannedResponse> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  requireSupervisor(actor, 'canned.manage', 'manage canned responses');
  const values = checkCanned(input);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const id = await q.insertCanned(tx, { ...values, createdById: actor.id, updatedAt: now });
    await recordAudit(tx, { actorId: actor.id, action: 'canned_response.created', subjectType: 'canned_response', subjectId: id, data: { before: null, after: values }, at: now });
    await appendEvent(tx, 'staffwork.canned_response.changed', [QUEUE], { id });
    return cannedById(tx, id);
  });
}

/** Edits a canned response; the same checks as creating. NotFound. Audited as canned_response.updated. */
export async function updateCanned(ctx: Ctx, id: number, input: { title: string; body: string }): Promise<CannedResponse> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  requireSupervisor(actor, 'canned.manage', 'manage canned responses');
  const values = checkCanned(input);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await q.lockCanned(tx, id);
    if (!before) throw new NotFound('Canned response', 'canned_response_not_found');
    await q.updateCanned(tx, id, { ...values, updatedAt: now });
    await recordAudit(tx, { actorId: actor.id, action: 'canned_response.updated', subjectType: 'canned_response', subjectId: id, data: { before: { title: before.title, body: before.body }, after: values }, at: now });
    await appendEvent(tx, 'staffwork.canned_response.changed', [QUEUE], { id });
    return cannedById(tx, id);
  });
}

/** Removes a canned response (kept for the audit trail, gone from lists). NotFound. Audited as canned_response.deleted. */
export async function deleteCanned(ctx: Ctx, id: number): Promise<void> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  requireSupervisor(actor, 'canned.manage', 'manage canned responses');
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const before = await q.lockCanned(tx, id);
    if (!before) throw new NotFound('Canned response', 'canned_response_not_found');
    await q.updateCanned(tx, id, { deletedAt: now });
    await recordAudit(tx, { actorId: actor.id, action: 'canned_response.deleted', subjectType: 'canned_response', subjectId: id, data: { before: { title: before.title, body: before.body }, after: null }, at: now });
    await appendEvent(tx, 'staffwork.canned_response.changed', [QUEUE], { id });
  });
}

/** A canned response's text with the thread's variables filled in (staff). NotFound for either. */
export async function renderCanned(ctx: Ctx, id: number, input: { threadId: number }): Promise<{ text: string }> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const canned = await q.getCannedRow(ctx.db, id);
  if (!canned) throw new NotFound('Canned response', 'canned_response_not_found');
  const thread = await q.lockThreadFacts(ctx.db, input.threadId);
  if (!thread) throw new NotFound('Thread', 'thread_not_found');
  return {
    text: fillVariables(canned.canned.body, {
      'customer.name': thread.authorDisplayName,
      'customer.handle': thread.authorHandle,
      'agent.name': actor.displayName,
      'thread.title': thread.title,
      'category.name': thread.categoryName,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Internal notes

/**
 * Adds an internal note to a thread (staff; at most 5000 characters). Never shown in the forum.
 * Needs a reason when the thread is not in the queue; touches the item. NotFound. Audited as note.added.
 */
export async function addNote(ctx: Ctx, threadId: number, input: { body: string; reason?: string | null }): Promise<StaffNote> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const body = text(input.body, 'body', STAFFWORK_LIMITS.noteMax, { required: true })!;
  const reason = text(input.reason, 'reason', 500);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    await lockThread(tx, threadId);
    const item = await requireQueueOrReason(tx, threadId, reason);
    if (item) await touchAgentActivity(tx, item.id, now);
    const id = await q.insertNote(tx, { threadId, itemId: item?.id ?? null, authorId: actor.id, body, createdAt: now });
    await recordAudit(tx, { actorId: actor.id, action: 'note.added', subjectType: 'thread', subjectId: threadId, reason, data: { noteId: id, itemId: item?.id ?? null, before: null, after: { noteId: id } }, at: now });
    await emitItemChanged(tx, threadId, item?.id ?? null, 'note');
    const [row] = await q.listNoteRows(tx, { id });
    return presentNote(row);
  });
}

// ---------------------------------------------------------------------------------------------
// Assist instead of answer

/**
 * Marks a peer's answer as verified by staff (staff): a live reply by a member other than the
 * asker. Resolves the thread's open item as 'assisted', credits the peer (staffVerified points)
 * and shows the mark in the forum. Conflict claimed_by_other, not_peer_answer, already_verified;
 * a reason is needed off the queue; NotFound. Audited as post.staff_verified.
 */
export async function verifyPost(ctx: Ctx, postId: number, input: { reason?: string | null } = {}): Promise<{ postId: number; threadId: number; staffVerifiedAt: string }> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const reason = text(input.reason, 'reason', 500);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const post = await q.lockPostForVerify(tx, postId);
    if (!post) throw new NotFound('Post', 'post_not_found');
    const thread = await lockThread(tx, post.threadId);
    if (post.position === 1 || post.authorId === thread.authorId || isStaff(post.authorRole) || post.deletedAt || post.heldAt || post.hiddenAt) {
      throw new Conflict('not_peer_answer', "Only a live reply by a member other than the asker can be verified; staff answers don't need it");
    }
    if (post.staffVerifiedAt) throw new Conflict('already_verified', 'This answer is already verified by staff');
    await assertNotClaimedByOther(tx, actor, thread.id);
    await requireQueueOrReason(tx, thread.id, reason);
    await q.setStaffVerified(tx, postId, actor.id, now);
    await recordStaffVerification(tx, ctx.config, { postId, authorId: post.authorId, actorId: actor.id }, now);
    const resolved = await resolveOpenItemOf(tx, actor, thread.id, 'assisted', now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'post.staff_verified',
      subjectType: 'post',
      subjectId: postId,
      reason,
      data: { threadId: thread.id, peerId: post.authorId, itemId: resolved?.id ?? null, before: { staffVerifiedAt: null, itemStatus: resolved ? 'open' : null }, after: { staffVerifiedAt: now.toISOString(), itemStatus: resolved ? 'resolved' : null } },
      at: now,
    });
    // the forum's thread page refreshes on thread updates and picks up the mark
    await forum.emitThreadUpdated(tx, thread.id);
    await emitItemChanged(tx, thread.id, resolved?.id ?? null, 'verified');
    return { postId, threadId: thread.id, staffVerifiedAt: now.toISOString() };
  });
}

const nudgedIds = (rows: Awaited<ReturnType<typeof q.listNudgeRows>>) => new Set(rows.map((n) => Number((n.data as { expertId?: number }).expertId)));

/**
 * Whom to nudge about a thread (staff): members holding the Expert badge for one of its tags,
 * not the asker, marked when already nudged. NotFound for an unknown thread.
 */
export async function listThreadExperts(ctx: Ctx, threadId: number): Promise<{ experts: ThreadExpert[] }> {
  authorize(ctx.actor, 'queue.work', null);
  const askerId = await q.getThreadAuthorId(ctx.db, threadId);
  if (askerId === undefined) throw new NotFound('Thread', 'thread_not_found');
  const [rows, nudges] = await Promise.all([q.listThreadExpertRows(ctx.db, threadId, askerId), q.listNudgeRows(ctx.db, threadId)]);
  const nudged = nudgedIds(nudges);
  return { experts: rows.map(({ tags, ...user }) => ({ user: presentRef(user), tags, nudged: nudged.has(user.id) })) };
}

/**
 * Privately nudges a member (an expert), named by handle or id, to help on a thread (staff): a
 * notification for them, an audit row (thread.nudged) the dashboard counts; the item stays open
 * and is touched. Invalid (on the field given) for an unknown member, staff or the asker, or when
 * neither is given; Conflict already_nudged for the same member twice; a reason is needed off the
 * queue; NotFound.
 */
export async function nudgeExpert(
  ctx: Ctx,
  threadId: number,
  input: { handle?: string | null; expertId?: number | null; note?: string | null; reason?: string | null },
): Promise<{ threadId: number; expert: ReturnType<typeof presentRef> }> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const handle = input.handle?.trim().replace(/^@/, '') || null;
  const field = handle ? 'handle' : 'expertId';
  if (!handle && !input.expertId) throw new Invalid({ handle: 'name the member to nudge' });
  const note = text(input.note, 'note', STAFFWORK_LIMITS.nudgeNoteMax);
  const reason = text(input.reason, 'reason', 500);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    const expert = handle ? await q.getUserRefByHandle(tx, handle) : await q.getUserRef(tx, input.expertId!);
    if (!expert) throw new Invalid({ [field]: 'no such member' });
    if (isStaff(expert.role)) throw new Invalid({ [field]: 'is staff; nudges go to community members' });
    if (expert.id === thread.authorId) throw new Invalid({ [field]: 'is the asker' });
    const item = await requireQueueOrReason(tx, threadId, reason);
    if (nudgedIds(await q.listNudgeRows(tx, threadId)).has(expert.id)) {
      throw new Conflict('already_nudged', `@${expert.handle} was already nudged about this thread`);
    }
    if (item) await touchAgentActivity(tx, item.id, now);
    await notifyFromStaff(tx, { kind: 'nudge', userId: expert.id, dedupeKey: `nudge:thread:${threadId}`, thread: { id: threadId, title: thread.title }, staff: actor, excerpt: note }, now);
    await recordAudit(tx, { actorId: actor.id, action: 'thread.nudged', subjectType: 'thread', subjectId: threadId, reason: note, data: { expertId: expert.id, itemId: item?.id ?? null, offQueueReason: reason, before: null, after: { expertId: expert.id } }, at: now });
    await emitItemChanged(tx, threadId, item?.id ?? null, 'nudge');
    return { threadId, expert: presentRef(expert) };
  });
}

// ---------------------------------------------------------------------------------------------
// Taking a thread private

async function conversationById(db: Executor, id: number): Promise<PrivateConversation> {
  const [row] = await q.listConversationRows(db, { id });
  if (!row) throw new NotFound('Conversation', 'conversation_not_found');
  return presentConversation(row, await q.listMessageRows(db, id));
}

function renderMessage(body: string) {
  const clean = text(body, 'message', STAFFWORK_LIMITS.messageMax, { required: true })!;
  const rendered = renderMarkdown(clean);
  return { markdown: clean, html: rendered.html };
}

/**
 * Takes a thread private (staff): opens a private conversation with the asker, starting with the
 * agent's message, marks the public thread, resolves the open item as 'agent' and notifies the
 * asker. Conflict claimed_by_other and already_private; a reason is needed off the queue;
 * NotFound. Audited as thread.taken_private.
 */
export async function takePrivate(ctx: Ctx, threadId: number, input: { message: string; reason?: string | null }): Promise<PrivateConversation> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const message = renderMessage(input.message);
  const reason = text(input.reason, 'reason', 500);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (thread.takenPrivateAt) throw new Conflict('already_private', 'Staff already took this thread private');
    await assertNotClaimedByOther(tx, actor, threadId);
    await requireQueueOrReason(tx, threadId, reason);
    const conversationId = await q.insertConversation(tx, { threadId, customerId: thread.authorId, openedById: actor.id, subject: thread.title, createdAt: now });
    await q.insertMessage(tx, { conversationId, authorId: actor.id, bodyMarkdown: message.markdown, bodyHtml: message.html, createdAt: now });
    await q.setTakenPrivate(tx, threadId, now);
    const resolved = await resolveOpenItemOf(tx, actor, threadId, 'agent', now);
    await notifyFromStaff(tx, { kind: 'private_message', userId: thread.authorId, dedupeKey: `private:conversation:${conversationId}:opened`, thread: { id: threadId, title: thread.title }, staff: actor, excerpt: message.markdown, conversationId }, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'thread.taken_private',
      subjectType: 'thread',
      subjectId: threadId,
      reason,
      data: { conversationId, itemId: resolved?.id ?? null, before: { takenPrivateAt: null }, after: { takenPrivateAt: now.toISOString() } },
      at: now,
    });
    await forum.emitThreadUpdated(tx, threadId);
    await emitItemChanged(tx, threadId, resolved?.id ?? null, 'private');
    return conversationById(tx, conversationId);
  });
}

function requireActor(ctx: Ctx): Actor {
  if (!ctx.actor) throw new Unauthenticated();
  return ctx.actor;
}

/** The signed-in member's private conversations with staff, newest first. */
export async function listMyConversations(ctx: Ctx): Promise<PrivateConversationSummary[]> {
  const actor = requireActor(ctx);
  return (await q.listConversationRows(ctx.db, { customerId: actor.id })).map(presentConversationSummary);
}

/** A private conversation with its messages: its customer or staff; NotFound for anyone else. */
export async function getConversation(ctx: Ctx, id: number): Promise<PrivateConversation> {
  const actor = requireActor(ctx);
  const conversation = await conversationById(ctx.db, id);
  if (!can(actor, 'private.take_part', { customerId: conversation.customer.id })) throw new NotFound('Conversation', 'conversation_not_found');
  return conversation;
}

/**
 * Writes in a private conversation: its customer or staff (NotFound for anyone else; message ≤
 * 5000 characters). Staff messages notify the customer and are audited (private_message.sent);
 * every message reaches the consoles and the customer's open pages.
 */
export async function sendPrivateMessage(ctx: Ctx, id: number, input: { body: string }): Promise<PrivateConversation> {
  const actor = requireActor(ctx);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const conversation = await q.lockConversation(tx, id);
    if (!conversation || !can(actor, 'private.take_part', conversation)) throw new NotFound('Conversation', 'conversation_not_found');
    if (actor.silenced && actor.id === conversation.customerId) throw new Forbidden('You are silenced: you can read, but not write, until the silence ends', 'member_silenced');
    let message;
    try {
      message = renderMessage(input.body);
    } catch (err) {
      if (err instanceof Invalid) throw new Invalid({ body: err.fields!.message });
      throw err;
    }
    const messageId = await q.insertMessage(tx, { conversationId: id, authorId: actor.id, bodyMarkdown: message.markdown, bodyHtml: message.html, createdAt: now });
    const fromStaff = actor.id !== conversation.customerId;
    if (fromStaff) {
      const thread = await q.lockThreadFacts(tx, conversation.threadId);
      await notifyFromStaff(tx, { kind: 'private_message', userId: conversation.customerId, dedupeKey: `private:message:${messageId}`, thread: { id: conversation.threadId, title: thread?.title ?? conversation.subject }, staff: actor, excerpt: message.markdown, conversationId: id }, now);
      await recordAudit(tx, { actorId: actor.id, action: 'private_message.sent', subjectType: 'private_conversation', subjectId: id, data: { messageId, threadId: conversation.threadId, before: null, after: { messageId } }, at: now });
    }
    await appendEvent(tx, 'staffwork.private_message.created', [QUEUE, userRoom(conversation.customerId)], { conversationId: id, threadId: conversation.threadId, messageId });
    return conversationById(tx, id);
  });
}

// ---------------------------------------------------------------------------------------------
// CSAT

/**
 * What the asker sees on their thread once staff resolved its item (as 'agent' or 'assisted'):
 * the prompt, or the rating they gave. Null for anyone else, or when no such item exists.
 * NotFound for an unknown thread.
 */
export async function getCsatPrompt(ctx: Ctx, threadId: number): Promise<CsatPrompt | null> {
  const thread = await q.lockThreadFacts(ctx.db, threadId);
  if (!thread || (thread.heldAt && ctx.actor?.id !== thread.authorId && !(ctx.actor && isStaff(ctx.actor.role)))) throw new NotFound('Thread', 'thread_not_found');
  if (!ctx.actor || !can(ctx.actor, 'csat.give', thread)) return null;
  // support is still working on the case: asking how the help went would come too early
  if (thread.supportSince && !thread.supportResolvedAt) return null;
  const item = await q.getRatableItem(ctx.db, threadId);
  if (!item) return null;
  return { itemId: item.id, resolution: item.resolution as 'agent' | 'assisted', given: item.csat ? presentCsat(item.csat) : null };
}

/**
 * The asker rates staff's help on the thread's latest item resolved by or with an agent: score
 * 1–5, optional comment ≤ 1000 characters. Forbidden for anyone but the asker, NotFound for an
 * unknown thread or none to rate (nothing_to_rate), Conflict csat_already_given the second time.
 * Emits staffwork.csat.given to the consoles.
 */
export async function submitCsat(ctx: Ctx, threadId: number, input: { score: number; comment?: string | null }): Promise<CsatResponse> {
  const actor = requireActor(ctx);
  if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) throw new Invalid({ score: 'must be a whole number from 1 to 5' });
  const comment = text(input.comment, 'comment', STAFFWORK_LIMITS.csatCommentMax);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const thread = await q.lockThreadFacts(tx, threadId);
    if (!thread || thread.heldAt) throw new NotFound('Thread', 'thread_not_found');
    if (!can(actor, 'csat.give', thread)) throw new Forbidden('Only the person who asked can rate the help on this thread');
    const item = await q.getRatableItem(tx, threadId);
    if (!item) throw new NotFound('Resolved staff help on this thread', 'nothing_to_rate');
    const row = item.csat ? null : await q.insertCsat(tx, { itemId: item.id, threadId, userId: actor.id, score: input.score, comment, createdAt: now });
    if (!row) throw new Conflict('csat_already_given', 'You already rated the help on this thread');
    await appendEvent(tx, 'staffwork.csat.given', [QUEUE], { threadId, itemId: item.id, score: row.score });
    return presentCsat(row);
  });
}
