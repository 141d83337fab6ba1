import { within, type Ctx } from '../context.js';
import { DomainError, Invalid } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { resolvePostFlags } from '../flags/service.js';
import type { PostFlagsAction, PostFlagsOutcome, PostFlagsResolution } from '../flags/types.js';
import { approvePost, listHeldPosts, rejectPost, type HeldPost } from '../forum/held.js';
import { authorize } from '../policy/index.js';

// The console's approval list (pre-moderation) and its bulk actions, and bulk flag resolution.
// Each post is decided in a transaction of its own, so one refusal leaves the others done; the
// services reused here write one audit row per post.

export const BULK_MAX = 100;
const PREVIEW_MAX = 280;
const QUEUE = 'queue';

export interface Approval extends HeldPost {
  /** the body as plain text, cut to a few lines */
  preview: string;
}

export type BulkResult = { postId: number; ok: true } | { postId: number; ok: false; error: { code: string; message: string } };


function preview(markdown: string): string {
  const text = markdown.replace(/\s+/g, ' ').trim();
  return text.length > PREVIEW_MAX ? `${text.slice(0, PREVIEW_MAX - 1)}…` : text;
}

/** Posts awaiting approval, oldest first, each with its author's trust level, category and a preview (staff). */
export async function listApprovals(ctx: Ctx, input: { limit?: number; cursor?: string } = {}): Promise<{ posts: Approval[]; nextCursor: string | null }> {
  const page = await listHeldPosts(ctx, input);
  return { posts: page.posts.map((p) => ({ ...p, preview: preview(p.bodyMarkdown) })), nextCursor: page.nextCursor };
}

/**
 * Approves a held post (forum/held.approvePost: audited as post.approved) and tells the other
 * consoles (moderation.approval.decided). NotFound, Conflict post_not_held.
 */
export async function approveHeldPost(ctx: Ctx, postId: number): Promise<{ postId: number; threadId: number }> {
  authorize(ctx.actor, 'post.approve', null);
  return ctx.db.transaction(async (tx) => {
    const done = await approvePost(within(ctx, tx), postId);
    await appendEvent(tx, 'moderation.approval.decided', [QUEUE], { ...done, decision: 'approved' });
    return done;
  });
}

/** Rejects a held post with an optional reason (forum/held.rejectPost: audited as post.rejected); tells the other consoles. */
export async function rejectHeldPost(ctx: Ctx, postId: number, input: { reason?: string | null } = {}): Promise<{ postId: number }> {
  authorize(ctx.actor, 'post.approve', null);
  return ctx.db.transaction(async (tx) => {
    await rejectPost(within(ctx, tx), postId, input);
    await appendEvent(tx, 'moderation.approval.decided', [QUEUE], { postId, decision: 'rejected' });
    return { postId };
  });
}

function checkIds(postIds: number[]): number[] {
  const ids = [...new Set(postIds)];
  if (!ids.length) throw new Invalid({ postIds: 'must name at least one post' });
  if (ids.length > BULK_MAX) throw new Invalid({ postIds: `at most ${BULK_MAX} posts at once` });
  return ids;
}

/** Runs `one` for each post, turning a domain refusal into that post's result; anything else is a fault and propagates. */
async function each(ids: number[], one: (postId: number) => Promise<unknown>): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const postId of ids) {
    try {
      await one(postId);
      results.push({ postId, ok: true });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results.push({ postId, ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return results;
}

/**
 * Approves or rejects up to 100 held posts (staff), each on its own: the result per post is ok
 * or the error it met (post_not_found, post_not_held, …). Invalid for no posts or too many.
 */
export async function decideApprovals(ctx: Ctx, input: { postIds: number[]; action: 'approve' | 'reject'; reason?: string | null }): Promise<BulkResult[]> {
  authorize(ctx.actor, 'post.approve', null);
  if (input.action !== 'approve' && input.action !== 'reject') throw new Invalid({ action: 'must be approve or reject' });
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 500) throw new Invalid({ reason: 'must be at most 500 characters' });
  const ids = checkIds(input.postIds);
  return each(ids, (postId) => (input.action === 'approve' ? approveHeldPost(ctx, postId) : rejectHeldPost(ctx, postId, { reason })));
}

/**
 * Resolves the open flags of up to 100 posts the same way (flags.resolvePostFlags, one audit
 * row per post): the result per post is ok or its error (no_open_flags, post_not_found, …).
 */
export async function resolveFlagsInBulk(
  ctx: Ctx,
  input: { postIds: number[]; outcome: PostFlagsOutcome; action?: PostFlagsAction | null; silenceAuthorHours?: number | null; note?: string | null },
): Promise<Array<BulkResult & { resolution?: PostFlagsResolution }>> {
  authorize(ctx.actor, 'flag.review', null);
  const ids = checkIds(input.postIds);
  const resolutions = new Map<number, PostFlagsResolution>();
  const { postIds: _ids, ...how } = input;
  const results = await each(ids, async (postId) => resolutions.set(postId, await resolvePostFlags(ctx, postId, how)));
  return results.map((r) => (r.ok ? { ...r, resolution: resolutions.get(r.postId) } : r));
}
