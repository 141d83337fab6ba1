import { and, eq, ne } from 'drizzle-orm';
import type { Actor } from '../context.js';
import { users } from '../accounts/schema.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid } from '../errors.js';
import { queueItems } from './schema.js';

// Rules every staff action on a thread shares: who may act while an item is claimed, the
// reason required off the queue, and the agent activity that keeps a claim from going idle.

export const STAFF_REASON_MAX = 500;

export interface OpenItemRef {
  id: number;
  status: 'queued' | 'claimed' | 'escalated' | 'resolved';
  claimedById: number | null;
  claimedByHandle: string | null;
}

/** The thread's open queue item, locked for the caller's transaction, or null. */
export async function lockOpenItemOf(tx: Executor, threadId: number): Promise<OpenItemRef | null> {
  const [row] = await tx
    .select({ id: queueItems.id, status: queueItems.status, claimedById: queueItems.claimedById, claimedByHandle: users.handle })
    .from(queueItems)
    .leftJoin(users, eq(users.id, queueItems.claimedById))
    .where(and(eq(queueItems.threadId, threadId), ne(queueItems.status, 'resolved')))
    .for('update', { of: queueItems });
  return row ?? null;
}

/**
 * Collision control: refuses (409 `claimed_by_other`) when another agent holds the thread's open
 * item. Returns the item (or null) so the caller can touch it.
 */
export async function assertNotClaimedByOther(tx: Executor, actor: Actor, threadId: number): Promise<OpenItemRef | null> {
  const item = await lockOpenItemOf(tx, threadId);
  if (item?.claimedById && item.claimedById !== actor.id) {
    throw new Conflict('claimed_by_other', `@${item.claimedByHandle ?? 'another agent'} holds this thread's queue item; ask them or a supervisor to release it first`);
  }
  return item;
}

/**
 * Staff acting on a thread: when the thread has an open queue item, returns it; when it has
 * none, the action needs a written reason (400 with fields.reason otherwise), because agents
 * step in only where the queue sent them.
 */
export async function requireQueueOrReason(tx: Executor, threadId: number, reason: string | null | undefined): Promise<OpenItemRef | null> {
  const item = await lockOpenItemOf(tx, threadId);
  const text = reason?.trim() ?? '';
  if (!item && !text) throw new Invalid({ reason: 'is required when the thread is not in the queue' }, 'This thread is not in the queue: say why you are acting on it');
  if (text.length > STAFF_REASON_MAX) throw new Invalid({ reason: `must be at most ${STAFF_REASON_MAX} characters` });
  return item;
}

/** Records agent activity on an item (a reply, a note, a draft, a moderation step): it keeps a claim from going idle. */
export async function touchAgentActivity(tx: Executor, itemId: number, at: Date): Promise<void> {
  await tx.update(queueItems).set({ lastAgentActivityAt: at }).where(eq(queueItems.id, itemId));
}
