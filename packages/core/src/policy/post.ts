import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export interface PostTarget {
  authorId: number;
  position: number;
  deleted: boolean;
}

// A silenced member reads but does not write: no new posts, edits, votes or flags.
export const postRules = {
  /** write posts at all (threads and replies each have their own rule on top) */
  'post.create': (actor: Actor, _target: null) => !actor.silenced,
  'post.edit': (actor: Actor, post: PostTarget) => !post.deleted && (isStaff(actor.role) || (actor.id === post.authorId && !actor.silenced)),
  'post.delete': (actor: Actor, post: PostTarget) => !post.deleted && (isStaff(actor.role) || actor.id === post.authorId),
  'post.vote': (actor: Actor, post: PostTarget) => !actor.silenced && !post.deleted && actor.id !== post.authorId,
  /** approve or reject posts held for approval */
  'post.approve': (actor: Actor, _target: null) => isStaff(actor.role),
};
