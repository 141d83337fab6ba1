import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import { Forbidden, Unauthenticated } from '../errors.js';
import type { PostAbilities, ThreadAbilities, ThreadStatus, ThreadKind } from '../forum/types.js';
import { threadRules, type ThreadTarget } from './thread.js';
import { postRules, type PostTarget } from './post.js';
import { consoleRules } from './console.js';
import { pollRules, type PollTarget } from './poll.js';
import { memberRules, type MemberTarget } from './member.js';
import { flagRules } from './flag.js';
import { badgeRules, type BadgeHolderTarget } from './badge.js';
import { queueRules, type QueueItemTarget } from './queue.js';
import { watchedWordRules } from './watched-words.js';
import { teamRules } from './teams.js';
import { dashboardRules } from './dashboard.js';
import { staffworkRules } from './staffwork.js';
import { moderationRules } from './moderation.js';
import { crmRules } from './crm.js';
import { privacyRules } from './privacy.js';
import { kbRules } from './kb.js';
import type { PollAbilities } from '../polls/types.js';

// One place decides who may do what. Each resource has a file of small predicates; `can`
// looks the action up, and `authorize` turns a refusal into the right domain error.

const rules = { ...threadRules, ...postRules, ...consoleRules, ...pollRules, ...memberRules, ...flagRules, ...badgeRules, ...queueRules, ...watchedWordRules, ...moderationRules, ...staffworkRules, ...dashboardRules, ...teamRules, ...crmRules, ...privacyRules, ...kbRules };
type Rules = typeof rules;
export type Action = keyof Rules;
type TargetOf<A extends Action> = Parameters<Rules[A]>[1];

export function can<A extends Action>(actor: Actor | null, action: A, target: TargetOf<A>): boolean {
  if (!actor) return false;
  return (rules[action] as (a: Actor, t: TargetOf<A>) => boolean)(actor, target);
}

/**
 * Throws Unauthenticated for anonymous actors and Forbidden when the policy refuses; a refusal
 * that only the actor's silence causes has the code `member_silenced`.
 */
export function authorize<A extends Action>(actor: Actor | null, action: A, target: TargetOf<A>): Actor {
  if (!actor) throw new Unauthenticated();
  if (!can(actor, action, target)) {
    if (actor.silenced && can({ ...actor, silenced: false }, action, target)) {
      throw new Forbidden('You are silenced: you can read, but not post, edit, vote, flag or cast ballots until the silence ends', 'member_silenced');
    }
    throw new Forbidden(refusalMessage(action, actor, target));
  }
  return actor;
}

function refusalMessage(action: Action, actor: Actor, target: unknown): string {
  const t = target as Partial<ThreadTarget>;
  if (action === 'poll.create' && actor.id === t.authorId) return 'New members (trust level 0) cannot add polls yet';
  if (action === 'post.flag') return (target as PostTarget).deleted ? 'This post is deleted' : 'You cannot flag your own post';
  if (action === 'flag.review') return 'Only staff can review flags';
  if (action === 'post.approve') return 'Only staff can approve or reject posts';
  if (action === 'member.trust_level') return 'Only admins can set the trust level of a member';
  if (action === 'member.silence' || action === 'member.suspend') {
    return (target as MemberTarget).id === actor.id ? 'You cannot do that to yourself' : 'Only staff can do that, and only to members';
  }
  if (action === 'badge.grant' || action === 'badge.revoke') {
    return (target as BadgeHolderTarget).id === actor.id ? 'You cannot grant or revoke your own badges' : 'Only staff can grant or revoke badges';
  }
  if (action === 'thread.reply' && t.status === 'closed') return 'This thread is closed';
  if (action === 'post.vote') return 'You cannot vote on your own post';
  if (action === 'thread.accept' && t.kind !== 'question') return 'Only questions have accepted answers';
  if (action === 'console.access') return actor.role === 'product' ? 'Product accounts see the insights only' : 'The moderation console is for agents, supervisors and admins';
  if (action === 'console.enter' || action === 'console.insights') return 'The moderation console is for agents, supervisors and admins';
  if (action === 'console.supervise') return 'Only supervisors and admins can do this';
  if (action === 'queue.work') return "The agents' queue is for agents, supervisors and admins";
  if (action === 'queue.resolve' || action === 'queue.release') {
    return isStaff(actor.role) ? 'Another agent holds this item; only they or a supervisor can do that' : "The agents' queue is for agents, supervisors and admins";
  }
  if (action === 'dashboard.view' || action === 'qa.sample') return 'Only supervisors and admins can do that; agents see their own numbers';
  if (action === 'qa.view' || action === 'qa.score') return isStaff(actor.role) ? 'Only supervisors score QA reviews (never their own), and agents see only their own' : 'The moderation console is for agents, supervisors and admins';
  if (action === 'teams.manage' || action === 'agents.manage' || action === 'queue.assign') return 'Only supervisors and admins can do that';
  if (action === 'agents.duty') return 'Agents can only set their own on-duty status';
  if (action === 'crm.import' || action === 'console.administer') return 'Only admins can do that';
  if (action === 'privacy.export' || action === 'privacy.erase') return 'Only admins can export or erase a member';
  if (action === 'crm.link') return 'Only agents, supervisors and admins can link members to CRM contacts';
  if (action === 'crm.view') return 'CRM data is for agents, supervisors and admins';
  if (action === 'kb.manage') return 'Only staff can publish or change knowledge-base articles';
  if (action === 'watched_words.manage') return 'Only supervisors and admins can manage watched words';
  if (action === 'queue.request') return 'Only the author of the thread or staff can ask for staff help on it';
  if (action === 'poll.create') return 'Only the author of the thread or staff can add a poll';
  if (action === 'poll.close' || action === 'poll.reopen') return 'Only staff can close or reopen a poll';
  return 'You are not allowed to do that';
}

export function threadAbilities(actor: Actor | null, thread: ThreadTarget): ThreadAbilities {
  return {
    reply: can(actor, 'thread.reply', thread),
    edit: can(actor, 'thread.edit', thread),
    delete: can(actor, 'thread.delete', thread),
    accept: can(actor, 'thread.accept', thread),
    close: can(actor, 'thread.close', thread),
    reopen: can(actor, 'thread.reopen', thread),
    vote: actor !== null && !actor.silenced,
  };
}

export function postAbilities(actor: Actor | null, post: PostTarget, thread: ThreadTarget): PostAbilities {
  return {
    edit: can(actor, 'post.edit', post),
    delete: can(actor, 'post.delete', post),
    vote: can(actor, 'post.vote', post),
    accept: post.position > 1 && !post.deleted && can(actor, 'thread.accept', thread),
  };
}

export function pollAbilities(actor: Actor | null, poll: PollTarget): PollAbilities {
  return {
    vote: can(actor, 'poll.vote', poll),
    close: can(actor, 'poll.close', poll),
    reopen: can(actor, 'poll.reopen', poll),
  };
}

export { isStaff };
export type { ThreadTarget, PostTarget, PollTarget, MemberTarget, QueueItemTarget, ThreadStatus, ThreadKind };
