import { eq } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { lockPost } from '../forum/queries.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import { authorize } from '../policy/index.js';
import { consumeRateLimit } from '../ratelimit/service.js';
import { flagWeight } from '../reputation/levels.js';
import { presentFlag, presentFlagReview } from './present.js';
import * as q from './queries.js';
import { flags } from './schema.js';
import type { Flag, FlagOutcome, FlagReason, FlagReview, FlagStatus } from './types.js';

export const FLAG_REASONS: readonly FlagReason[] = ['spam', 'abusive', 'off_topic', 'needs_staff', 'other'];
export const FLAG_NOTE_MAX = 500;

// The console's room: staff see flags arrive and get resolved there. Nothing about a flag is
// pushed to public rooms.
const QUEUE = 'queue';

function cleanNote(note: string | null | undefined, field: string): string | null {
  const clean = note?.trim() ?? '';
  if (clean.length > FLAG_NOTE_MAX) throw new Invalid({ [field]: `must be at most ${FLAG_NOTE_MAX} characters` });
  return clean || null;
}

/**
 * Flags a post (spam, abusive, off_topic, needs_staff, other; an optional note). Checks the
 * silence and that the post is not the actor's own (Forbidden), the post exists and is visible
 * (NotFound), and one open flag per member per post (Conflict already_flagged). The flag
 * weighs by the flagger's trust (flagWeight). Emits flags.flag.raised to the console's room.
 */
export async function flagPost(ctx: Ctx, postId: number, input: { reason: FlagReason; note?: string | null }): Promise<Flag> {
  const actor = authorize(ctx.actor, 'post.create', null);
  if (!FLAG_REASONS.includes(input.reason)) throw new Invalid({ reason: `must be one of ${FLAG_REASONS.join(', ')}` });
  const note = cleanNote(input.note, 'note');
  await consumeRateLimit(ctx, `flag:${actor.id}`, ctx.config.rateLimits.post);
  return ctx.db.transaction(async (tx) => {
    // The post's row lock makes the one-open-flag check and the insert one step.
    const post = await lockPost(tx, postId);
    if (!post || post.deletedAt || post.heldAt) throw new NotFound('Post', 'post_not_found');
    authorize(actor, 'post.flag', { authorId: post.authorId, position: post.position, deleted: false });
    if (await q.getOpenFlag(tx, postId, actor.id)) throw new Conflict('already_flagged', 'You have already flagged this post; staff will look at it');
    const [row] = await tx
      .insert(flags)
      .values({ postId, flaggerId: actor.id, reason: input.reason, note, weight: flagWeight(actor), createdAt: ctx.now() })
      .returning();
    const [review] = await q.listFlagRows(tx, { status: 'open', ids: [row.id] }, 1);
    await appendEvent(
      tx,
      'flags.flag.raised',
      [QUEUE],
      { flag: presentFlagReview(review) },
      { flagId: row.id, postId, threadId: post.threadId, flaggerId: actor.id, authorId: post.authorId, weight: row.weight, reason: row.reason },
    );
    return presentFlag(row);
  });
}

const isFlagId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 2_147_483_647;

/** Flags in one status for staff (open: oldest first; resolved: newest first). Forbidden for members. */
export async function listFlags(
  ctx: Ctx,
  input: { status?: FlagStatus; limit?: number; cursor?: string } = {},
): Promise<{ flags: FlagReview[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'flag.review', null);
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const after = decodeCursor(input.cursor, isFlagId);
  const rows = await q.listFlagRows(ctx.db, { status: input.status ?? 'open' }, limit + 1, after);
  const page = rows.slice(0, limit);
  return {
    flags: page.map(presentFlagReview),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].flag.id) : null,
  };
}

/**
 * Resolves an open flag as agreed or disagreed (staff), with an optional note; audited as
 * flag.resolved. NotFound for an unknown flag, Conflict flag_resolved when it already was.
 * Agreed flags count toward the flagger's trust level (the trust job listens for
 * flags.flag.resolved, which goes to the console's room).
 */
export async function resolveFlag(ctx: Ctx, flagId: number, input: { outcome: FlagOutcome; note?: string | null }): Promise<FlagReview> {
  const actor = authorize(ctx.actor, 'flag.review', null);
  if (input.outcome !== 'agreed' && input.outcome !== 'disagreed') throw new Invalid({ outcome: 'must be agreed or disagreed' });
  const note = cleanNote(input.note, 'note');
  return ctx.db.transaction(async (tx) => {
    const flag = await q.lockFlag(tx, flagId);
    if (!flag) throw new NotFound('Flag', 'flag_not_found');
    if (flag.status !== 'open') throw new Conflict('flag_resolved', `This flag was already resolved (${flag.status})`);
    const now = ctx.now();
    await tx
      .update(flags)
      .set({ status: input.outcome, resolvedAt: now, resolvedById: actor.id, resolutionNote: note })
      .where(eq(flags.id, flagId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'flag.resolved',
      subjectType: 'flag',
      subjectId: flagId,
      reason: note,
      data: { outcome: input.outcome, postId: flag.postId, flaggerId: flag.flaggerId },
      at: now,
    });
    await appendEvent(
      tx,
      'flags.flag.resolved',
      [QUEUE],
      { flagId, postId: flag.postId, outcome: input.outcome },
      { flagId, postId: flag.postId, flaggerId: flag.flaggerId, outcome: input.outcome },
    );
    const [review] = await q.listFlagRows(tx, { status: input.outcome, ids: [flagId] }, 1);
    return presentFlagReview(review);
  });
}
