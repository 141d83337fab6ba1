import { eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { isStaff, within } from '../context.js';
import { users } from '../accounts/schema.js';
import { recordAudit } from '../audit/service.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { flagThresholdOf, hidePost, restorePost } from '../forum/hidden.js';
import { lockPost } from '../forum/queries.js';
import { posts, threads } from '../forum/schema.js';
import { decodeCursor, deletePost, encodeCursor, LIMITS } from '../forum/service.js';
import { silenceMember } from '../members/service.js';
import { authorize, can } from '../policy/index.js';
import { consumeRateLimit } from '../ratelimit/service.js';
import { flagWeight } from '../reputation/levels.js';
import { presentFlag, presentFlaggedPost, presentFlagReview } from './present.js';
import * as q from './queries.js';
import { flags } from './schema.js';
import type {
  Flag,
  FlaggedPost,
  FlagOutcome,
  FlagReason,
  FlagReview,
  FlagStatus,
  PostFlagsAction,
  PostFlagsOutcome,
  PostFlagsResolution,
} from './types.js';

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
 * When the open flags' weight (less "needs staff" flags) reaches the category's threshold, the
 * post is hidden in the same transaction (forum/hidden.ts; forum.post.hidden to its thread), so
 * no reader sees it after the flag that tipped it was accepted. Staff's own posts are not
 * hidden by flags; their flags still reach the queue.
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
    const hidden =
      !post.hiddenAt &&
      !isStaff(review.authorRole) &&
      (await q.hidingWeight(tx, postId)) >= (await flagThresholdOf(tx, post.threadId)) &&
      (await hidePost(tx, post, 'flags', ctx.now()));
    await appendEvent(
      tx,
      'flags.flag.raised',
      [QUEUE],
      { flag: presentFlagReview(review) },
      { flagId: row.id, postId, threadId: post.threadId, flaggerId: actor.id, authorId: post.authorId, weight: row.weight, reason: row.reason, hidden },
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

// ---------------------------------------------------------------------------------------------
// The console: flags grouped by post, resolved together

/** Posts with open flags for staff, by their oldest open flag, each with all its open flags. Forbidden for members. */
export async function listFlaggedPosts(ctx: Ctx, input: { limit?: number; cursor?: string } = {}): Promise<{ posts: FlaggedPost[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'flag.review', null);
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const after = decodeCursor(input.cursor, isFlagId);
  const rows = await q.listFlaggedPostRows(ctx.db, limit + 1, after);
  const page = rows.slice(0, limit);
  const flagRows = await q.listOpenFlagsOf(ctx.db, page.map((r) => r.postId));
  return {
    posts: page.map((r) => presentFlaggedPost(r, flagRows.filter((f) => f.flag.postId === r.postId))),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].firstFlagId) : null,
  };
}

export const POST_FLAGS_OUTCOMES: readonly PostFlagsOutcome[] = ['agree', 'disagree', 'defer'];
/** The longest silence a resolution may give (members.silenceMember allows up to ten years). */
export const SILENCE_HOURS_MAX = 24 * 365;

function checkResolution(input: { outcome: PostFlagsOutcome; action?: PostFlagsAction | null; silenceAuthorHours?: number | null }) {
  if (!POST_FLAGS_OUTCOMES.includes(input.outcome)) throw new Invalid({ outcome: 'must be agree, disagree or defer' });
  const agree = input.outcome === 'agree';
  const action = input.action ?? null;
  const hours = input.silenceAuthorHours ?? null;
  if (action !== null && !agree) throw new Invalid({ action: 'goes with outcome agree only' });
  if (action !== null && action !== 'hide' && action !== 'delete') throw new Invalid({ action: 'must be hide or delete' });
  if (hours !== null && !agree) throw new Invalid({ silenceAuthorHours: 'goes with outcome agree only' });
  if (hours !== null && (!Number.isInteger(hours) || hours < 1 || hours > SILENCE_HOURS_MAX)) {
    throw new Invalid({ silenceAuthorHours: `must be a whole number of hours from 1 to ${SILENCE_HOURS_MAX}` });
  }
  return { action: agree ? (action ?? 'hide') : null, hours };
}

/**
 * Resolves all open flags on a post at once (staff). agree: the flags were right; the post stays
 * (or becomes) hidden, or is deleted (deleting an opening post deletes its thread), and the
 * author may be silenced for some hours (members.silenceMember, which audits that on its own);
 * the flags become agreed. disagree: the flags become disagreed and a hidden post is restored
 * (forum.post.restored). defer: nothing changes but the audit log, which keeps the note.
 * Writes one audit row (post.flags_resolved) whatever the outcome; flags.flag.resolved per
 * flag feeds the flaggers' trust, and flags.post.resolved tells the console and, through a
 * job, the flaggers (defer emits flags.post.deferred to the console only). NotFound for an
 * unknown post, Conflict no_open_flags when it has none, Invalid for bad combinations.
 */
export async function resolvePostFlags(
  ctx: Ctx,
  postId: number,
  input: { outcome: PostFlagsOutcome; action?: PostFlagsAction | null; silenceAuthorHours?: number | null; note?: string | null },
): Promise<PostFlagsResolution> {
  const actor = authorize(ctx.actor, 'flag.review', null);
  const { action, hours } = checkResolution(input);
  const note = cleanNote(input.note, 'note');
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const post = await lockPost(tx, postId);
    if (!post) throw new NotFound('Post', 'post_not_found');
    const open = await q.lockOpenFlags(tx, postId);
    if (!open.length) throw new Conflict('no_open_flags', 'This post has no open flags');
    // The services reused here open their own (nested) transactions on this one.
    const inTx = within(ctx, tx);
    const [thread] = await tx.select({ title: threads.title }).from(threads).where(eq(threads.id, post.threadId));
    let hidden = post.hiddenAt !== null;
    let deleted = post.deletedAt !== null;
    let silencedUntil: string | null = null;

    if (input.outcome === 'agree') {
      if (hours !== null) {
        const [author] = await tx.select({ id: users.id, handle: users.handle, role: users.role }).from(users).where(eq(users.id, post.authorId));
        if (!can(actor, 'member.silence', { id: author.id, role: author.role })) throw new Invalid({ silenceAuthorHours: 'this author cannot be silenced (staff)' });
        const reason = `Agreed flags on post #${postId}${note ? `: ${note}` : ''}`.slice(0, 500);
        // the resolution's own audit row records the silence: one row per action
        silencedUntil = (await silenceMember(inTx, author.handle, { until: new Date(now.getTime() + hours * 3_600_000), reason }, { audited: false })).silencedUntil;
      }
      if (action === 'delete' && !deleted) {
        await deletePost(inTx, postId);
        deleted = true;
      } else if (action === 'hide' && !deleted) {
        if (!(await hidePost(tx, post, 'staff', now))) {
          await tx.update(posts).set({ hiddenReason: 'staff' }).where(eq(posts.id, postId));
        }
        hidden = true;
      }
    } else if (input.outcome === 'disagree' && hidden) {
      await restorePost(tx, post);
      hidden = false;
    }

    const status: FlagStatus | null = input.outcome === 'agree' ? 'agreed' : input.outcome === 'disagree' ? 'disagreed' : null;
    const flagIds = open.map((f) => f.id);
    if (status) {
      await tx
        .update(flags)
        .set({ status, resolvedAt: now, resolvedById: actor.id, resolutionNote: note })
        .where(inArray(flags.id, flagIds));
      for (const flag of open) {
        await appendEvent(tx, 'flags.flag.resolved', [QUEUE], { flagId: flag.id, postId, outcome: status }, { flagId: flag.id, postId, flaggerId: flag.flaggerId, outcome: status });
      }
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'post.flags_resolved',
      subjectType: 'post',
      subjectId: postId,
      reason: note,
      data: { outcome: input.outcome, action, flagIds, threadId: post.threadId, authorId: post.authorId, silenceAuthorHours: hours, silencedUntil },
      at: now,
    });
    const resolution: PostFlagsResolution = {
      postId,
      outcome: input.outcome,
      action,
      resolvedFlagIds: status ? flagIds : [],
      post: { hidden, deleted },
      authorSilencedUntil: silencedUntil,
    };
    if (status) {
      // a deleted opening post took its thread with it: the flaggers' notice then links nowhere
      const threadGone = deleted && post.position === 1;
      await appendEvent(
        tx,
        'flags.post.resolved',
        [QUEUE],
        { resolution },
        {
          postId,
          threadId: threadGone ? null : post.threadId,
          threadTitle: thread?.title ?? '',
          postGone: deleted,
          outcome: status,
          flags: open.map((f) => ({ flagId: f.id, flaggerId: f.flaggerId })),
        },
      );
    } else {
      await appendEvent(tx, 'flags.post.deferred', [QUEUE], { resolution, note });
    }
    return resolution;
  });
}
