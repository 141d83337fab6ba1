import type { Actor } from '../context.js';

export const watchedWordRules = {
  /** list, add and remove watched words: supervisors and admins (agents only work the queue) */
  'watched_words.manage': (actor: Actor, _target: null) => actor.role === 'supervisor' || actor.role === 'admin',
};
