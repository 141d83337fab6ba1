import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

/** Whom a queue item is held by, for the rules that depend on it. */
export interface QueueItemTarget {
  claimedById: number | null;
}

const isSupervisor = (actor: Actor) => actor.role === 'supervisor' || actor.role === 'admin';

export const queueRules = {
  /** list and claim items; every console route checks this first */
  'queue.work': (actor: Actor, _target: null) => isStaff(actor.role),
  /** resolve: an item nobody holds or one's own claim; supervisors and admins any item */
  'queue.resolve': (actor: Actor, item: QueueItemTarget) =>
    isStaff(actor.role) && (item.claimedById === null || item.claimedById === actor.id || isSupervisor(actor)),
  /** release a claim: its holder, or a supervisor or admin */
  'queue.release': (actor: Actor, item: QueueItemTarget) => isStaff(actor.role) && (item.claimedById === actor.id || isSupervisor(actor)),
  /** ask for staff help on a thread: its author, or staff */
  'queue.request': (actor: Actor, thread: { authorId: number }) => actor.id === thread.authorId || isStaff(actor.role),
};
