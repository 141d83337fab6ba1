import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import type { PostTarget } from './post.js';

export const flagRules = {
  /** any member but the post's author; silenced members cannot */
  'post.flag': (actor: Actor, post: PostTarget) => !actor.silenced && !post.deleted && actor.id !== post.authorId,
  /** list flags and resolve them as agreed or disagreed */
  'flag.review': (actor: Actor, _target: null) => isStaff(actor.role),
};
