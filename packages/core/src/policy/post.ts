import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export interface PostTarget {
  authorId: number;
  position: number;
  deleted: boolean;
}

export const postRules = {
  'post.edit': (actor: Actor, post: PostTarget) => !post.deleted && (isStaff(actor.role) || actor.id === post.authorId),
  'post.delete': (actor: Actor, post: PostTarget) => !post.deleted && (isStaff(actor.role) || actor.id === post.authorId),
  'post.vote': (actor: Actor, post: PostTarget) => !post.deleted && actor.id !== post.authorId,
};
