import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import type { ThreadKind, ThreadStatus } from '../forum/types.js';
import { hasTrust, UNLOCKS } from '../reputation/levels.js';

export interface ThreadTarget {
  authorId: number;
  status: ThreadStatus;
  kind: ThreadKind;
}

const owns = (actor: Actor, thread: ThreadTarget) => actor.id === thread.authorId;

export const threadRules = {
  'thread.create': (actor: Actor, _target: null) => !actor.silenced,
  'thread.reply': (actor: Actor, thread: ThreadTarget) => !actor.silenced && thread.status !== 'closed',
  // retitle and retag: the author, staff, and regulars (trust ≥ 3) on other members' threads
  'thread.edit': (actor: Actor, thread: ThreadTarget) =>
    isStaff(actor.role) || (thread.status !== 'closed' && !actor.silenced && (owns(actor, thread) || hasTrust(actor, UNLOCKS.retitle))),
  'thread.delete': (actor: Actor, thread: ThreadTarget) => isStaff(actor.role) || owns(actor, thread),
  'thread.accept': (actor: Actor, thread: ThreadTarget) =>
    thread.kind === 'question' && thread.status !== 'closed' && (isStaff(actor.role) || owns(actor, thread)),
  'thread.close': (actor: Actor, thread: ThreadTarget) => thread.status !== 'closed' && (isStaff(actor.role) || owns(actor, thread)),
  'thread.reopen': (actor: Actor, thread: ThreadTarget) => thread.status === 'closed' && (isStaff(actor.role) || owns(actor, thread)),
};
