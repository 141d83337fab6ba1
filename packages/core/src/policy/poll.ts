import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import { hasTrust, UNLOCKS } from '../reputation/levels.js';
import type { ThreadTarget } from './thread.js';

export interface PollTarget {
  closed: boolean;
}

export const pollRules = {
  // the thread's author once past trust level 0, or staff
  'poll.create': (actor: Actor, thread: ThreadTarget) =>
    isStaff(actor.role) || (actor.id === thread.authorId && !actor.silenced && hasTrust(actor, UNLOCKS.polls)),
  'poll.vote': (actor: Actor, poll: PollTarget) => !actor.silenced && !poll.closed,
  'poll.close': (actor: Actor, poll: PollTarget) => isStaff(actor.role) && !poll.closed,
  'poll.reopen': (actor: Actor, poll: PollTarget) => isStaff(actor.role) && poll.closed,
};
