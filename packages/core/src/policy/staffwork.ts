import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

const isSupervisor = (actor: Actor) => actor.role === 'supervisor' || actor.role === 'admin';

/** Who takes part in a private staff–customer conversation. */
export interface ConversationTarget {
  customerId: number;
}

export const staffworkRules = {
  /** add, edit and remove canned responses: supervisors and admins (agents use them) */
  'canned.manage': (actor: Actor, _target: null) => isSupervisor(actor),
  /** approve or return agents' drafts in categories that ask for approval */
  'draft.review': (actor: Actor, _target: null) => isSupervisor(actor),
  /** a staff reply in a reply-approval category publishes at once: supervisors and admins */
  'draft.skip': (actor: Actor, category: { replyApproval: boolean }) => !category.replyApproval || isSupervisor(actor),
  /** read and write in a private conversation: its customer, or staff */
  'private.take_part': (actor: Actor, conversation: ConversationTarget) => actor.id === conversation.customerId || isStaff(actor.role),
  /** rate staff's help on a thread: its asker only */
  'csat.give': (actor: Actor, thread: { authorId: number }) => actor.id === thread.authorId,
};
