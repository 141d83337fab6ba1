import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import type { ThreadTarget } from './thread.js';

export interface PollTarget {
  closed: boolean;
}

export const pollRules = {
  // Trust levels do not exist yet: the thread's author (trust ≥ 1 later) or staff.
  'poll.create': (actor: Actor, thread: ThreadTarget) => isStaff(actor.role) || actor.id === thread.authorId,
  'poll.vote': (_actor: Actor, poll: PollTarget) => !poll.closed,
  'poll.close': (actor: Actor, poll: PollTarget) => isStaff(actor.role) && !poll.closed,
  'poll.reopen': (actor: Actor, poll: PollTarget) => isStaff(actor.role) && poll.closed,
};
