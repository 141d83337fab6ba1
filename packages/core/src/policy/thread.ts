import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import type { ThreadKind, ThreadStatus } from '../forum/types.js';

export interface ThreadTarget {
  authorId: number;
  status: ThreadStatus;
  kind: ThreadKind;
}

const owns = (actor: Actor, thread: ThreadTarget) => actor.id === thread.authorId;

export const threadRules = {
  'thread.create': (_actor: Actor, _target: null) => true,
  'thread.reply': (_actor: Actor, thread: ThreadTarget) => thread.status !== 'closed',
  'thread.edit': (actor: Actor, thread: ThreadTarget) => isStaff(actor.role) || (owns(actor, thread) && thread.status !== 'closed'),
  'thread.delete': (actor: Actor, thread: ThreadTarget) => isStaff(actor.role) || owns(actor, thread),
  'thread.accept': (actor: Actor, thread: ThreadTarget) =>
    thread.kind === 'question' && thread.status !== 'closed' && (isStaff(actor.role) || owns(actor, thread)),
  'thread.close': (actor: Actor, thread: ThreadTarget) => thread.status !== 'closed' && (isStaff(actor.role) || owns(actor, thread)),
  'thread.reopen': (actor: Actor, thread: ThreadTarget) => thread.status === 'closed' && (isStaff(actor.role) || owns(actor, thread)),
};
