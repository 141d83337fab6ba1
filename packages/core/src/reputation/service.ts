import type { CoreConfig, Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import { NotFound } from '../errors.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import { presentEntry } from './present.js';
import * as q from './queries.js';
import type { ReputationPage, ReputationReason } from './types.js';

// The reputation ledger. Votes and acceptances write their entries here in their own
// transaction, under the post's (votes) or the thread's (acceptances) row lock, so concurrent
// requests take turns and every total stays the exact sum of its member's entries. Nothing is
// deleted: taking something back appends a reversing entry that points at the original
// (reverses_id is unique, so an entry is reversed at most once).

const VOTE_REASONS = ['answer_upvoted', 'question_upvoted', 'post_downvoted'] as const;
const ACCEPTANCE_REASONS = ['answer_accepted', 'accepted_an_answer'] as const;

interface Entry {
  userId: number;
  reason: ReputationReason;
  points: number;
  postId: number;
  causedById: number;
}

/** Appends entries and moves each member's total by the same amount, members in id order. */
async function append(tx: Executor, entries: Array<Entry & { reversesId?: number }>, at: Date): Promise<void> {
  const kept = entries.filter((e) => e.points !== 0);
  if (!kept.length) return;
  await q.insertEntries(tx, kept.map((e) => ({ ...e, reversesId: e.reversesId ?? null, createdAt: at })));
  const totals = new Map<number, number>();
  for (const e of kept) totals.set(e.userId, (totals.get(e.userId) ?? 0) + e.points);
  for (const [userId, points] of [...totals].sort(([a], [b]) => a - b)) {
    if (points !== 0) await q.addToReputation(tx, userId, points);
  }
}

const reversalsOf = (entries: q.LedgerRow[]) =>
  entries.map((e) => ({
    userId: e.userId,
    reason: e.reason as ReputationReason,
    points: -e.points,
    postId: e.postId!,
    causedById: e.causedById!,
    reversesId: e.id,
  }));

async function reverse(tx: Executor, entries: q.LedgerRow[], at: Date): Promise<void> {
  await append(tx, reversalsOf(entries), at);
}

export interface VoteChange {
  post: { id: number; authorId: number; position: number };
  voterId: number;
  /** the voter's vote before and after: 1, -1 or 0 */
  from: number;
  to: number;
}

/**
 * The ledger side of a vote, inside the vote's transaction (the caller holds the post's row
 * lock). The voter's earlier entry on the post is reversed and the new vote's entry written:
 * an upvote gives the author answerUpvoted (questionUpvoted on the opening post), a downvote
 * postDownvoted. An unchanged vote writes nothing.
 */
export async function recordVote(tx: Executor, config: CoreConfig, change: VoteChange, at: Date): Promise<void> {
  if (change.from === change.to) return;
  if (change.from !== 0) {
    await reverse(tx, await q.listLiveEntries(tx, { postId: change.post.id, causedById: change.voterId, reasons: VOTE_REASONS }), at);
  }
  if (change.to === 0) return;
  const reason: ReputationReason = change.to < 0 ? 'post_downvoted' : change.post.position === 1 ? 'question_upvoted' : 'answer_upvoted';
  const points = reason === 'post_downvoted' ? config.reputation.postDownvoted : reason === 'question_upvoted' ? config.reputation.questionUpvoted : config.reputation.answerUpvoted;
  await append(tx, [{ userId: change.post.authorId, reason, points, postId: change.post.id, causedById: change.voterId }], at);
}

export interface Acceptance {
  postId: number;
  answerAuthorId: number;
  threadAuthorId: number;
  actorId: number;
}

/**
 * The ledger side of accepting an answer, inside the acceptance's transaction (the caller
 * holds the thread's row lock): the answer's author gets answerAccepted, and the asker
 * acceptedAnAnswer when they accepted it themselves (not when staff accepted on their behalf).
 * Accepting your own answer to your own question earns nothing. What the answer it replaces
 * earned is reversed in the same step, so every member's row is updated once, in id order.
 */
export async function recordAcceptance(tx: Executor, config: CoreConfig, acceptance: Acceptance, at: Date, replacedPostId?: number | null): Promise<void> {
  const entries: Array<Entry & { reversesId?: number }> = replacedPostId
    ? reversalsOf(await q.listLiveEntries(tx, { postId: replacedPostId, reasons: ACCEPTANCE_REASONS }))
    : [];
  if (acceptance.answerAuthorId !== acceptance.threadAuthorId) {
    entries.push({ userId: acceptance.answerAuthorId, reason: 'answer_accepted', points: config.reputation.answerAccepted, postId: acceptance.postId, causedById: acceptance.actorId });
    if (acceptance.actorId === acceptance.threadAuthorId) {
      entries.push({ userId: acceptance.threadAuthorId, reason: 'accepted_an_answer', points: config.reputation.acceptedAnAnswer, postId: acceptance.postId, causedById: acceptance.actorId });
    }
  }
  await append(tx, entries, at);
}

/**
 * The ledger side of an agent marking a peer's answer staff-verified, inside the caller's
 * transaction: the answer's author gets staffVerified points, once per post.
 */
export async function recordStaffVerification(tx: Executor, config: CoreConfig, verification: { postId: number; authorId: number; actorId: number }, at: Date): Promise<void> {
  const earlier = await q.listLiveEntries(tx, { postId: verification.postId, reasons: ['staff_verified'] });
  if (earlier.length) return;
  await append(tx, [{ userId: verification.authorId, reason: 'staff_verified', points: config.reputation.staffVerified, postId: verification.postId, causedById: verification.actorId }], at);
}

/** Reverses whatever accepting this post earned (withdrawn, replaced or deleted), once. */
export async function reverseAcceptance(tx: Executor, postId: number, at: Date): Promise<void> {
  await reverse(tx, await q.listLiveEntries(tx, { postId, reasons: ACCEPTANCE_REASONS }), at);
}

const isEntryId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * A member's reputation and its history (newest first, keyset-paginated): reason, points,
 * the post while it is visible, and when. Public, like the total; who voted is never shown.
 * NotFound for an unknown handle.
 */
export async function getReputation(ctx: Ctx, handle: string, input: { limit?: number; cursor?: string } = {}): Promise<ReputationPage> {
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const before = decodeCursor(input.cursor, isEntryId);
  const member = await q.getMemberByHandle(ctx.db, handle);
  if (!member) throw new NotFound('Member', 'member_not_found');
  const rows = await q.listLedgerRows(ctx.db, member.id, limit + 1, before);
  const page = rows.slice(0, limit);
  return {
    user: { handle: member.handle, displayName: member.displayName, reputation: member.reputation, trustLevel: member.trustLevel },
    entries: page.map(presentEntry),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
  };
}
